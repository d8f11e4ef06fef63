package org.spgateway.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.ReferralWork;

/** A service added through the API takes referrals at once, even from requests running while the directory reloads. */
class DirectoryChangeIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@Test
	void referralsSentTogetherJustAfterAServiceIsAddedAreAllRoutedToIt() {
		for (int round = 0; round < 3; round++) {
			Reference service = ReferralWork.addProvider(gateway, "T" + UUID.randomUUID().toString().substring(0, 8).toUpperCase());
			List<CompletableFuture<ReferralWork.Referral>> together = IntStream.range(0, 8)
					.mapToObj(i -> CompletableFuture.supplyAsync(() -> ReferralWork.refer(gateway, service))).toList();
			// refer() insists on 201 and one Task: an "unknown service" 422 from a stale directory fails it.
			assertThat(together.stream().map(CompletableFuture::join).toList()).hasSize(8);
		}
	}
}
