package org.spgateway.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where figures come from: cores, memory, CPU model, Java and OS. */
final class Machine {

	private Machine() {}

	static String describe() {
		String cpu = "unknown CPU";
		String memory = "unknown";
		try {
			Path cpuinfo = Path.of("/proc/cpuinfo");
			if (Files.exists(cpuinfo)) {
				cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
						.map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
			}
			Path meminfo = Path.of("/proc/meminfo");
			if (Files.exists(meminfo)) {
				memory = Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
						.map(l -> Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0) + " GiB").orElse(memory);
			}
		} catch (Exception ignored) {
			// descriptive only
		}
		return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memory + " RAM, Java "
				+ System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ".\n";
	}
}
