package org.spgateway.conformance;

/** A conformance file that cannot be used; start-up stops with the file name and the problem. */
public class ConformanceException extends RuntimeException {

	public ConformanceException(String source, String problem) {
		super(source + " " + problem);
	}
}
