package org.spgateway.bulkimport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.OutboundRefusals;

/**
 * Fetches an input file into the spool folder, through the same outbound address rules as every call the gateway
 * makes (no internal or loopback addresses outside sandbox mode, checked again at fetch time, no redirects), and counts
 * its lines. A failure is a {@link FetchFailure} whose message the job's caller reads: it names the class of problem,
 * never an address the host resolved to.
 */
class NdjsonFetcher {

	/** Why an input could not be fetched, in plain words. */
	static final class FetchFailure extends Exception {

		FetchFailure(String message) {
			super(message, null, false, false);
		}
	}

	private final HttpClient client;
	private final OutboundAddressRules addresses;
	private final Duration timeout;
	private final long maxBytes;

	NdjsonFetcher(OutboundAddressRules addresses, Duration timeout, long maxBytes) {
		this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
				.version(HttpClient.Version.HTTP_1_1).build();
		this.addresses = addresses;
		this.timeout = timeout;
		this.maxBytes = maxBytes;
	}

	/** Fetches {@code url} into {@code into} (replacing it) and returns its number of lines. */
	int fetch(String url, Path into) throws FetchFailure, InterruptedException {
		URI uri = URI.create(url);
		OutboundAddressRules.Verdict verdict = addresses.check(uri);
		if (!verdict.allowed()) {
			throw new FetchFailure("Could not fetch " + url + ": " + OutboundRefusals.atDelivery(verdict));
		}
		HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", ImportInputs.NDJSON).GET().build();
		HttpResponse<InputStream> response;
		try {
			response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
		} catch (HttpConnectTimeoutException e) {
			throw new FetchFailure("Could not fetch " + url + ": connection timed out");
		} catch (HttpTimeoutException e) {
			throw new FetchFailure("Could not fetch " + url + ": no answer within " + timeout.toSeconds() + " s");
		} catch (ConnectException e) {
			throw new FetchFailure("Could not fetch " + url + ": connection failed");
		} catch (IOException e) {
			throw new FetchFailure("Could not fetch " + url + ": the connection failed while reading it");
		}
		if (response.statusCode() != 200) {
			closeQuietly(response.body());
			String note = response.statusCode() >= 300 && response.statusCode() < 400 ? " (redirects are not followed)" : "";
			throw new FetchFailure("Could not fetch " + url + ": HTTP " + response.statusCode() + note);
		}
		try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(into)) {
			byte[] buffer = new byte[65536];
			long total = 0;
			int n;
			while ((n = in.read(buffer)) >= 0) {
				total += n;
				if (total > maxBytes) {
					throw new FetchFailure("Could not fetch " + url + ": it is larger than gateway.bulk-import.max-file-size (" + maxBytes
							+ " bytes); split it into several inputs");
				}
				out.write(buffer, 0, n);
			}
		} catch (IOException e) {
			throw new FetchFailure("Could not fetch " + url + ": the connection failed while reading it");
		}
		return countLines(into);
	}

	static int countLines(Path file) throws FetchFailure {
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			int lines = 0;
			while (reader.readLine() != null) {
				lines++;
			}
			return lines;
		} catch (IOException e) {
			throw new FetchFailure("The input is not UTF-8 text");
		}
	}

	private static void closeQuietly(InputStream in) {
		try {
			in.close();
		} catch (IOException e) {
			// Nothing to do: the answer is refused anyway.
		}
	}
}
