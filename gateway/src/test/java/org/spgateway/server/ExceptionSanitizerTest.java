package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

class ExceptionSanitizerTest {

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();
	private final Logger logger = (Logger) LoggerFactory.getLogger(ExceptionSanitizer.class);

	@BeforeEach
	void capture() {
		log.start();
		logger.addAppender(log);
	}

	@AfterEach
	void release() {
		logger.detachAppender(log);
	}

	@Test
	void anUnexpectedFailureIsLoggedByClassWithoutThePayloadsValues() {
		SQLException database = new SQLException("ERROR: duplicate key value\n  Detail: Key (system, code)=(https://x, 9434765919) already exists.",
				"23505");
		RuntimeException failure = new RuntimeException("Failed to call access method",
				new DataIntegrityViolationException("could not store family 'Featherstonehaugh'", database));

		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);

		assertThat(answer.getStatusCode()).isEqualTo(500);
		assertThat(((OperationOutcome) answer.getOperationOutcome()).getIssueFirstRep().getDiagnostics()).contains("request id")
				.doesNotContain("Featherstonehaugh");
		assertThat(log.list).hasSize(1);
		ILoggingEvent event = log.list.get(0);
		assertThat(event.getFormattedMessage()).contains("SQLException");
		StringBuilder logged = new StringBuilder(event.getFormattedMessage());
		for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
			logged.append('\n').append(t.getMessage()).append(' ').append(t.getStackTraceElementProxyArray().length);
		}
		assertThat(logged.toString()).doesNotContain("9434765919").doesNotContain("Featherstonehaugh")
				.contains("org.springframework.dao.DataIntegrityViolationException").contains("java.sql.SQLException");
	}

	@Test
	void aStatementCancelledByTheRequestBudgetIs503() {
		RuntimeException failure = new RuntimeException("Failed to call access method",
				new SQLException("ERROR: canceling statement due to statement timeout", "57014"));
		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);
		assertThat(answer.getStatusCode()).isEqualTo(503);
		assertThat(((OperationOutcome) answer.getOperationOutcome()).getIssueFirstRep().getCode().toCode()).isEqualTo("timeout");
	}
}
