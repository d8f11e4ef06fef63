package org.spgateway.benchmark;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** One kind of request the benchmark sends over and over, from many client threads at once. */
interface Scenario {

	String name();

	/** What one request does, for the report. */
	String description();

	/** Prepares data on the gateway before timing starts (runs once). */
	default void setUp(BenchmarkTarget target) throws Exception {}

	/** For a write: what the gateway validates for each request (ValidationCeiling); null for reads. */
	default ValidationCeiling.Body validatedBody() {
		return null;
	}

	/** The next request for one client thread; {@code sequence} is unique across all threads. */
	HttpRequest next(BenchmarkTarget target, long sequence);

	/** The process serving this scenario when it is not the gateway (a baseline), for the CPU table; -1 for the gateway. */
	default long serverPid() {
		return -1;
	}

	/** Stops whatever {@link #setUp} started besides the gateway. */
	default void tearDown() {}

	/** Whether a response counts as a success. */
	default boolean succeeded(HttpResponse<String> response) {
		return response.statusCode() >= 200 && response.statusCode() < 300;
	}
}
