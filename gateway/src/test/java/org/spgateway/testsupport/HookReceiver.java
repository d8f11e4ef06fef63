package org.spgateway.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP receiver on localhost for notifications and other outbound deliveries (the JDK's own
 * HttpServer). It records every request, can answer with an error status, can be slow, and can go
 * down (port closed) and come back on the same port. It also notices when two requests for the same
 * path are in progress at once.
 */
public final class HookReceiver implements AutoCloseable {

	/** One request that was answered 2xx (a delivery), as it arrived. Header names are case-insensitive. */
	public record Received(String method, String path, Map<String, List<String>> headers, String body, Instant at) {

		public String header(String name) {
			List<String> values = headers.get(name);
			return values == null || values.isEmpty() ? null : values.get(0);
		}
	}

	private final List<Received> received = new ArrayList<>();
	private final Map<String, AtomicInteger> inProgress = new ConcurrentHashMap<>();
	private final AtomicInteger overlaps = new AtomicInteger();
	private final AtomicInteger attempts = new AtomicInteger();
	private volatile int status = 200;
	private volatile Duration delay = Duration.ZERO;
	private int port;
	private HttpServer server;
	private ExecutorService executor;

	private HookReceiver() {}

	/** A receiver on a free port, up and answering 200. */
	public static HookReceiver start() {
		HookReceiver receiver = new HookReceiver();
		receiver.listen(0);
		return receiver;
	}

	/** The base URL to register, e.g. http://localhost:1234/hook. */
	public String url(String path) {
		return "http://localhost:" + port + path;
	}

	/** Closes the port: senders get "connection refused" until {@link #up()}. */
	public synchronized void down() {
		if (server != null) {
			server.stop(0);
			executor.shutdownNow();
			server = null;
		}
	}

	/** Listens again on the same port. */
	public synchronized void up() {
		if (server == null) {
			listen(port);
		}
	}

	/** The status every request is answered with from now on (e.g. 503 to refuse deliveries). */
	public void answer(int status) {
		this.status = status;
	}

	/** How long each request is held before it is answered. */
	public void slow(Duration delay) {
		this.delay = delay;
	}

	public synchronized List<Received> received() {
		return List.copyOf(received);
	}

	public List<Received> received(Predicate<Received> filter) {
		return received().stream().filter(filter).toList();
	}

	/** Every request that arrived, whatever it was answered. */
	public int attempts() {
		return attempts.get();
	}

	/** How many times a request arrived while another for the same path was still being handled. */
	public int overlaps() {
		return overlaps.get();
	}

	/** Waits until at least {@code count} requests matching {@code filter} have arrived, then returns them all. */
	public List<Received> await(Predicate<Received> filter, int count, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			List<Received> matching = received(filter);
			if (matching.size() >= count) {
				return matching;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Expected " + count + " requests within " + timeout + " but got " + matching.size() + ": "
						+ matching.stream().map(r -> r.method() + " " + r.path()).toList());
			}
			try {
				Thread.sleep(20);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
	}

	@Override
	public void close() {
		down();
	}

	private void listen(int onPort) {
		try {
			server = HttpServer.create(new InetSocketAddress("localhost", onPort), 50);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		port = server.getAddress().getPort();
		executor = Executors.newFixedThreadPool(16);
		server.setExecutor(executor);
		server.createContext("/", this::handle);
		server.start();
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getRawPath();
		attempts.incrementAndGet();
		AtomicInteger running = inProgress.computeIfAbsent(path, p -> new AtomicInteger());
		if (running.incrementAndGet() > 1) {
			overlaps.incrementAndGet();
		}
		boolean finished = false;
		try (InputStream in = exchange.getRequestBody()) {
			String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
			if (!delay.isZero()) {
				Thread.sleep(delay.toMillis());
			}
			int answer = status;
			if (answer >= 200 && answer < 300) {
				synchronized (this) {
					received.add(new Received(exchange.getRequestMethod(), path, headers, body, Instant.now()));
				}
			}
			// Done with this request before the sender can see the answer: decrementing after it would let the
			// sender's next, correctly sequential, request count as an overlap on a busy machine.
			finished = true;
			running.decrementAndGet();
			exchange.sendResponseHeaders(answer, -1);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		} finally {
			if (!finished) {
				running.decrementAndGet();
			}
			exchange.close();
		}
	}
}
