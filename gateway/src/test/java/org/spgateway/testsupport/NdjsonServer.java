package org.spgateway.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/** Serves the files of a folder over plain HTTP on localhost, as an exporting system's file server would, for $import. */
public final class NdjsonServer implements AutoCloseable {

	private final HttpServer server;
	private final Path root;

	private NdjsonServer(HttpServer server, Path root) {
		this.server = server;
		this.root = root;
	}

	public static NdjsonServer serve(Path root) {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			NdjsonServer files = new NdjsonServer(server, root);
			server.createContext("/", exchange -> {
				Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
				if (!file.startsWith(root) || !Files.isRegularFile(file)) {
					exchange.sendResponseHeaders(404, -1);
					exchange.close();
					return;
				}
				exchange.getResponseHeaders().set("Content-Type", "application/fhir+ndjson");
				exchange.sendResponseHeaders(200, Files.size(file));
				try (OutputStream out = exchange.getResponseBody()) {
					Files.copy(file, out);
				}
			});
			server.setExecutor(Executors.newFixedThreadPool(2, r -> {
				Thread t = new Thread(r, "ndjson-server");
				t.setDaemon(true);
				return t;
			}));
			server.start();
			return files;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The URL of a file under the folder. */
	public String url(Path file) {
		return "http://localhost:" + server.getAddress().getPort() + "/" + root.relativize(file).toString().replace('\\', '/');
	}

	@Override
	public void close() {
		server.stop(0);
	}
}
