package org.spgateway.intake;

/** Valid NHS numbers for tests in other packages. */
public final class TestNhsNumbers {

	private TestNhsNumbers() {}

	public static String next() {
		return Referrals.nhsNumber();
	}
}
