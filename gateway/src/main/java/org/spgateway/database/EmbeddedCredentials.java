package org.spgateway.database;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The embedded PostgreSQL's two passwords, generated on first start and kept owner-only in
 * {@code <data-dir>/database.credentials}, beside the cluster they open: {@code postgres}, the superuser the
 * gateway uses only to create and look after its own role and database, and {@code gateway}, the application
 * role everything else connects as.
 */
record EmbeddedCredentials(String adminPassword, String gatewayPassword) {

	static final String FILE = "database.credentials";

	static EmbeddedCredentials loadOrCreate(Path dataDir) {
		Path file = dataDir.resolve(FILE);
		try {
			if (Files.exists(file)) {
				Properties stored = new Properties();
				try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
					stored.load(reader);
				}
				String admin = stored.getProperty("postgres");
				String gateway = stored.getProperty("gateway");
				if (admin == null || gateway == null) {
					throw new IllegalStateException(file + " lacks the postgres or gateway password; restore it from a backup of the data"
							+ " directory");
				}
				return new EmbeddedCredentials(admin, gateway);
			}
			EmbeddedCredentials generated = new EmbeddedCredentials(password(), password());
			Properties stored = new Properties();
			stored.setProperty("postgres", generated.adminPassword());
			stored.setProperty("gateway", generated.gatewayPassword());
			Files.createDirectories(dataDir);
			try {
				// Created owner-only, so the passwords are never readable by others, even for a moment.
				Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			} catch (UnsupportedOperationException notPosix) {
				// Windows: the data directory's own permissions apply.
				Files.createFile(file);
			}
			try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
				stored.store(writer, "Passwords of the gateway's embedded PostgreSQL (generated; keep with the data directory)");
			}
			return generated;
		} catch (IOException e) {
			throw new IllegalStateException("Could not read or keep the embedded database's passwords in " + file + ": " + e.getMessage(),
					e);
		}
	}

	/** 32 random bytes, URL-safe base64: nothing in it needs quoting in SQL or a JDBC URL. */
	private static String password() {
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}
}
