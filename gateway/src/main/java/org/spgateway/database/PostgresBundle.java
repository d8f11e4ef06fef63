package org.spgateway.database;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * Build step (process-classes, gateway/pom.xml): copies the embedded PostgreSQL archive of zonky's binaries jar
 * into the classes folder without what the embedded server never runs, so that the jar ships the smaller copy
 * (issue 14: 15.0 MB down to about 13.6 MB) and the tests start exactly that server. zonky finds it by its name
 * ({@code postgres-linux-x86_64.txz}) on the classpath as it would in its own jar.
 *
 * <p>Left out: the contrib extensions and the procedural languages other than PL/pgSQL (the gateway creates no
 * extension, and its own role could not: {@link EmbeddedRoles}), the libraries only they link against (libxslt
 * for xml2, OSSP uuid for uuid-ossp), the ECPG client libraries, and the static libraries, pkg-config files and
 * PGXS makefiles that serve building extensions. Kept: the three programs zonky runs (initdb, pg_ctl, postgres)
 * with every library they link against, and the server's own loadable modules that initdb and the server use
 * (PL/pgSQL, the Snowball dictionaries of the built-in text search configurations, the encoding conversions,
 * and the replication receiver and logical output plug-in).
 */
public final class PostgresBundle {

	private static final Pattern ARCHIVE = Pattern.compile("postgres-[^/]+\\.txz");
	private static final Pattern CORE_MODULE = Pattern.compile(
			"lib/postgresql/(plpgsql|dict_snowball|libpqwalreceiver|pgoutput|[a-z0-9_]+_and_[a-z0-9_]+|euc2004_sjis2004)\\.so");
	private static final Pattern LEFT_OUT = Pattern.compile(
			"lib/[^/]+\\.a|lib/pkgconfig/.*|lib/postgresql/pgxs/.*|lib/lib(ecpg|ecpg_compat|pgtypes|xslt|ossp-uuid)\\.so.*");
	private static final String EXTENSIONS = "share/postgresql/extension/";

	private PostgresBundle() {
	}

	static boolean ships(String entryName) {
		String name = entryName.startsWith("./") ? entryName.substring(2) : entryName;
		if (LEFT_OUT.matcher(name).matches()) {
			return false;
		}
		if (name.startsWith("lib/postgresql/") && name.endsWith(".so")) {
			return CORE_MODULE.matcher(name).matches();
		}
		if (name.startsWith(EXTENSIONS) && name.length() > EXTENSIONS.length()) {
			return name.startsWith(EXTENSIONS + "plpgsql");
		}
		return true;
	}

	/** Usage: PostgresBundle &lt;zonky binaries jar&gt; &lt;classes folder&gt;. */
	public static void main(String[] args) throws IOException {
		if (args.length != 2) {
			throw new IllegalArgumentException("Usage: PostgresBundle <zonky binaries jar> <classes folder>");
		}
		Path binaries = Path.of(args[0]);
		try (ZipFile jar = new ZipFile(binaries.toFile())) {
			ZipEntry archive = archiveIn(jar);
			Path target = Path.of(args[1]).resolve(archive.getName());
			// xz costs about half a minute of CPU, so an archive newer than both its source and these rules is kept.
			if (Files.exists(target) && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(binaries)) > 0
					&& Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(ownClassFile())) > 0) {
				return;
			}
			Path partial = target.resolveSibling(target.getFileName() + ".partial");
			try (InputStream in = new BufferedInputStream(jar.getInputStream(archive));
					OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial))) {
				copy(in, out);
			}
			Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
	}

	private static Path ownClassFile() throws IOException {
		try {
			return Path.of(PostgresBundle.class.getResource(PostgresBundle.class.getSimpleName() + ".class").toURI());
		} catch (URISyntaxException | IllegalArgumentException e) {
			throw new IOException("PostgresBundle runs from the classes folder of the build", e);
		}
	}

	private static ZipEntry archiveIn(ZipFile jar) {
		for (Enumeration<? extends ZipEntry> entries = jar.entries(); entries.hasMoreElements();) {
			ZipEntry entry = entries.nextElement();
			if (ARCHIVE.matcher(entry.getName()).matches()) {
				return entry;
			}
		}
		throw new IllegalArgumentException(jar.getName() + " holds no postgres-*.txz");
	}

	private static void copy(InputStream txz, OutputStream out) throws IOException {
		// LZMA2's preset 6 (8 MiB dictionary) is what the original archive uses.
		try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(txz));
				TarArchiveOutputStream trimmed = new TarArchiveOutputStream(new XZOutputStream(out, new LZMA2Options(6)))) {
			trimmed.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			trimmed.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
			for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
				if (ships(entry.getName())) {
					trimmed.putArchiveEntry(entry);
					if (entry.isFile()) {
						tar.transferTo(trimmed);
					}
					trimmed.closeArchiveEntry();
				}
			}
		}
	}
}
