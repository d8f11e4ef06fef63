package org.spgateway.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** FHIR JSON fixtures kept next to the tests that use them (same package, under src/test/resources). */
public final class Fixtures {

	private Fixtures() {}

	public static String text(Class<?> owner, String name) {
		try (InputStream in = owner.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalArgumentException("No fixture " + name + " next to " + owner.getName());
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static <T extends IBaseResource> T resource(Class<?> owner, String name, Class<T> type) {
		return GatewayServer.fhirContext().newJsonParser().parseResource(type, text(owner, name));
	}
}
