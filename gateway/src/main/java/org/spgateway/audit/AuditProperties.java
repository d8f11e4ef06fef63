package org.spgateway.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.audit.*}: the audit trail (docs/security.md#audit). */
@ConfigurationProperties(prefix = "gateway.audit")
public class AuditProperties {

	/**
	 * How often queued events are chained and written; also the most a hard crash can lose of reads, searches and refusals.
	 * Short, so that each batch is a short burst beside the requests on the same cores rather than a long one (at 1,500 reads a
	 * second 75 events, not 300; docs/performance.md, "Audit writer cost, stop 15").
	 */
	private Duration flushInterval = Duration.ofMillis(50);

	/** Most events per batch (one transaction, one multi-row insert); a full batch is written at once. */
	private int batchSize = 500;

	/** Events held in memory while the database cannot take them; beyond this they are dropped, counted and logged. */
	private int queueCapacity = 100_000;

	/** How often an instance also chains events other instances committed but did not chain (one that died). */
	private Duration pendingPollInterval = Duration.ofSeconds(5);

	/** The gateway's name in every event's source.observer and server agent. */
	private String observer = "sp-gateway";

	/** Chain links read per statement by AuditEvent/$verify-chain. */
	private int verifyPageSize = 1000;

	public Duration getFlushInterval() {
		return flushInterval;
	}

	public void setFlushInterval(Duration flushInterval) {
		this.flushInterval = flushInterval;
	}

	public int getBatchSize() {
		return batchSize;
	}

	public void setBatchSize(int batchSize) {
		this.batchSize = batchSize;
	}

	public int getQueueCapacity() {
		return queueCapacity;
	}

	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	public Duration getPendingPollInterval() {
		return pendingPollInterval;
	}

	public void setPendingPollInterval(Duration pendingPollInterval) {
		this.pendingPollInterval = pendingPollInterval;
	}

	public String getObserver() {
		return observer;
	}

	public void setObserver(String observer) {
		this.observer = observer;
	}

	public int getVerifyPageSize() {
		return verifyPageSize;
	}

	public void setVerifyPageSize(int verifyPageSize) {
		this.verifyPageSize = verifyPageSize;
	}
}
