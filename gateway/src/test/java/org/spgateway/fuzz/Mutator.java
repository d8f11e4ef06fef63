package org.spgateway.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a well-formed body into a damaged one, the ways senders and attackers damage them: cut short,
 * fields dropped or repeated, values of the wrong JSON type, huge strings, deep nesting, odd Unicode
 * (NUL, lone surrogates, invalid UTF-8), numbers no store can hold, XML with a DOCTYPE or entities.
 * Everything comes from the {@link Random} it is given, so one seed gives the same bodies every run.
 */
final class Mutator {

	/** A damaged body and what was done to it (for the failure report). */
	record Mutation(String description, byte[] body) {
		String text() {
			return new String(body, StandardCharsets.UTF_8);
		}
	}

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
	private static final String DUPLICATE = "__fuzz_duplicate_field__";

	/** Strings senders get wrong: control characters, surrogates, direction overrides, injection-looking text. */
	static final List<String> ODD_STRINGS = List.of("\u0000", "a\u0000b", "\uD800", "x\uDFFFy", "\uFFFF", "\u202Eevil\u202C", "\u200B\u200D",
			"e\u0301\u0301\u0301", "\uD83D\uDE00", "", " ", "\t\r\n", "'; DROP TABLE resource; --", "%00", "../../etc/passwd", "${jndi:ldap://x}",
			"<script>alert(1)</script>", "\\u0000", "null", "1e999999", "-0", "9".repeat(400), "ünïcødé", "\u0085\u2028\u2029");

	/** Numbers outside what FHIR decimals, integers and PostgreSQL hold. */
	static final List<String> ODD_NUMBERS = List.of("1e999999", "-1e999999", "1e-999999", "123456789012345678901234567890", "-0", "1E400",
			"0.0000000000000000000000000000000000000001", "2147483648", "-2147483649", "1" + "0".repeat(200));

	private final Random random;

	Mutator(Random random) {
		this.random = random;
	}

	/** One damage to a JSON body (a resource, a Bundle or a JSON Patch array). */
	Mutation json(String seed) {
		JsonNode tree;
		try {
			tree = JSON.readTree(seed);
		} catch (Exception e) {
			return truncate(seed);
		}
		return switch (random.nextInt(11)) {
			case 0 -> truncate(seed);
			case 1 -> dropField(tree);
			case 2 -> duplicateField(tree);
			case 3 -> wrongType(tree);
			case 4 -> hugeString(tree);
			case 5 -> deepNesting(tree);
			case 6 -> oddString(tree);
			case 7 -> oddNumber(tree);
			case 8 -> invalidUtf8(seed);
			case 9 -> otherResourceType(tree);
			default -> garbage();
		};
	}

	/** One damage to an XML body. */
	Mutation xml(String seed) {
		return switch (random.nextInt(7)) {
			case 0 -> truncate(seed);
			case 1 -> new Mutation("XML with an external entity", seed.replaceFirst("(<\\?xml[^>]*\\?>)?",
					"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>").replaceFirst("value=\"([^\"]*)\"", "value=\"&e;\"")
					.getBytes(StandardCharsets.UTF_8));
			case 2 -> new Mutation("XML with entity expansion", seed.replaceFirst("(<\\?xml[^>]*\\?>)?",
					"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
							+ "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>")
					.replaceFirst("value=\"([^\"]*)\"", "value=\"&c;\"").getBytes(StandardCharsets.UTF_8));
			case 3 -> {
				String odd = pick(ODD_STRINGS).replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
				yield new Mutation("XML value replaced by " + printable(odd), replaceNth(seed, "value=\"[^\"]*\"", "value=\"" + odd + "\"")
						.getBytes(StandardCharsets.UTF_8));
			}
			case 4 -> {
				int depth = 60 + random.nextInt(200);
				String open = "<extension url=\"https://example.org/x\">".repeat(depth);
				String close = "</extension>".repeat(depth);
				yield new Mutation("XML nested " + depth + " deep", seed.replaceFirst("(<id value=\"[^\"]*\"/>|<meta>|<identifier>)", open + close + "$1")
						.getBytes(StandardCharsets.UTF_8));
			}
			case 5 -> new Mutation("XML element renamed", seed.replaceFirst("<(\\w+) value=", "<notAnElement value=").getBytes(StandardCharsets.UTF_8));
			default -> new Mutation("XML number replaced", replaceNth(seed, "value=\"-?\\d+(\\.\\d+)?\"", "value=\"" + pick(ODD_NUMBERS) + "\"")
					.getBytes(StandardCharsets.UTF_8));
		};
	}

	/** A search or path value: an odd string or number, or a plain one. */
	String value() {
		return random.nextBoolean() ? pick(ODD_STRINGS) : pick(ODD_NUMBERS);
	}

	<T> T pick(List<T> list) {
		return list.get(random.nextInt(list.size()));
	}

	boolean nextBoolean() {
		return random.nextBoolean();
	}

	int nextInt(int bound) {
		return random.nextInt(bound);
	}

	private Mutation truncate(String seed) {
		int at = seed.isEmpty() ? 0 : random.nextInt(seed.length());
		return new Mutation("cut at " + at, seed.substring(0, at).getBytes(StandardCharsets.UTF_8));
	}

	private Mutation dropField(JsonNode tree) {
		ObjectNode object = randomObject(tree);
		if (object == null || object.isEmpty()) {
			return garbage();
		}
		String name = randomField(object);
		object.remove(name);
		return json("dropped '" + name + "'", tree);
	}

	private Mutation duplicateField(JsonNode tree) {
		ObjectNode object = randomObject(tree);
		if (object == null || object.isEmpty()) {
			return garbage();
		}
		String name = randomField(object);
		JsonNode value = object.get(name).deepCopy();
		String original = object.toString();
		JsonNode replacement = NODES.textNode(DUPLICATE);
		replace(tree, object, replacement);
		String duplicated = "{" + NODES.textNode(name) + ":" + value + "," + original.substring(1);
		String text = tree == object ? duplicated : tree.toString().replace("\"" + DUPLICATE + "\"", duplicated);
		return new Mutation("repeated '" + name + "'", text.getBytes(StandardCharsets.UTF_8));
	}

	private Mutation wrongType(JsonNode tree) {
		List<Slot> slots = slots(tree);
		if (slots.isEmpty()) {
			return garbage();
		}
		Slot slot = pick(slots);
		JsonNode current = slot.get();
		JsonNode wrong = switch (random.nextInt(5)) {
			case 0 -> current.isTextual() ? NODES.numberNode(42) : NODES.textNode(current.toString());
			case 1 -> NODES.arrayNode().add(current);
			case 2 -> current.isObject() ? NODES.textNode("x") : NODES.objectNode().set("value", current);
			case 3 -> NODES.booleanNode(true);
			default -> NODES.nullNode();
		};
		slot.set(wrong);
		return json("'" + slot.name() + "' became " + wrong.getNodeType(), tree);
	}

	private Mutation hugeString(JsonNode tree) {
		List<Slot> slots = slots(tree);
		if (slots.isEmpty()) {
			return garbage();
		}
		int length = pick(List.of(10_000, 300_000, 6_000_000));
		Slot slot = pick(slots);
		slot.set(NODES.textNode("x".repeat(length)));
		return json("'" + slot.name() + "' a string of " + length, tree);
	}

	private Mutation deepNesting(JsonNode tree) {
		List<Slot> slots = slots(tree);
		if (slots.isEmpty()) {
			return garbage();
		}
		int depth = 60 + random.nextInt(5000);
		Slot slot = pick(slots);
		String value = slot.get().toString();
		slot.set(NODES.textNode(DUPLICATE));
		// Written out as text: Jackson itself will not write a tree this deep.
		boolean arrays = random.nextBoolean();
		String nested = (arrays ? "[" : "{\"extension\":").repeat(depth) + value + (arrays ? "]" : "}").repeat(depth);
		String text = tree.toString().replace("\"" + DUPLICATE + "\"", nested);
		return new Mutation("'" + slot.name() + "' nested " + depth + " deep", text.getBytes(StandardCharsets.UTF_8));
	}

	private Mutation oddString(JsonNode tree) {
		List<Slot> slots = slots(tree).stream().filter(s -> s.get().isTextual()).toList();
		if (slots.isEmpty()) {
			return garbage();
		}
		String odd = pick(ODD_STRINGS);
		Slot slot = pick(slots);
		slot.set(NODES.textNode(odd));
		return json("'" + slot.name() + "' = " + printable(odd), tree);
	}

	private Mutation oddNumber(JsonNode tree) {
		List<Slot> slots = slots(tree);
		if (slots.isEmpty()) {
			return garbage();
		}
		Slot slot = pick(slots);
		String number = pick(ODD_NUMBERS);
		slot.set(NODES.textNode(DUPLICATE));
		String text = tree.toString().replace("\"" + DUPLICATE + "\"", number);
		return new Mutation("'" + slot.name() + "' = " + number, text.getBytes(StandardCharsets.UTF_8));
	}

	private Mutation invalidUtf8(String seed) {
		byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
		int quote = seed.indexOf("\"", Math.min(seed.length() - 1, random.nextInt(Math.max(1, seed.length()))));
		if (quote < 0) {
			return garbage();
		}
		int at = seed.substring(0, quote + 1).getBytes(StandardCharsets.UTF_8).length;
		byte[] bad = pick(List.of(new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
				new byte[] {(byte) 0xC0, (byte) 0xAF}));
		byte[] out = new byte[bytes.length + bad.length];
		System.arraycopy(bytes, 0, out, 0, at);
		System.arraycopy(bad, 0, out, at, bad.length);
		System.arraycopy(bytes, at, out, at + bad.length, bytes.length - at);
		return new Mutation("invalid UTF-8 at byte " + at, out);
	}

	private Mutation otherResourceType(JsonNode tree) {
		if (!(tree instanceof ObjectNode object)) {
			return garbage();
		}
		String type = pick(List.of("Patient", "Task", "Bundle", "OperationOutcome", "Binary", "NotAType", "", "patient", "Parameters"));
		object.put("resourceType", type);
		return json("resourceType '" + type + "'", tree);
	}

	private Mutation garbage() {
		String body = pick(List.of("", "null", "[]", "{}", "[[[[", "\"text\"", "42", "{\"resourceType\":", "<Patient/>", "{\"resourceType\":\"Patient\"}}",
				"\u0000\u0000", "{\"resourceType\":\"Patient\",\"id\":\"" + "a".repeat(70) + "\"}"));
		return new Mutation("body " + printable(body), body.getBytes(StandardCharsets.UTF_8));
	}

	private Mutation json(String description, JsonNode tree) {
		return new Mutation(description, tree.toString().getBytes(StandardCharsets.UTF_8));
	}

	/** A place in the tree holding a value, which a mutation may replace. */
	private record Slot(JsonNode parent, String field, int index) {
		JsonNode get() {
			return field != null ? parent.get(field) : parent.get(index);
		}

		void set(JsonNode value) {
			if (field != null) {
				((ObjectNode) parent).set(field, value);
			} else {
				((ArrayNode) parent).set(index, value);
			}
		}

		String name() {
			return field != null ? field : "[" + index + "]";
		}
	}

	private static List<Slot> slots(JsonNode tree) {
		List<Slot> slots = new ArrayList<>();
		collect(tree, slots);
		return slots;
	}

	private static void collect(JsonNode node, List<Slot> slots) {
		if (node.isObject()) {
			for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
				Map.Entry<String, JsonNode> e = it.next();
				slots.add(new Slot(node, e.getKey(), -1));
				collect(e.getValue(), slots);
			}
		} else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				slots.add(new Slot(node, null, i));
				collect(node.get(i), slots);
			}
		}
	}

	private ObjectNode randomObject(JsonNode tree) {
		List<ObjectNode> objects = new ArrayList<>();
		if (tree.isObject()) {
			objects.add((ObjectNode) tree);
		}
		for (Slot s : slots(tree)) {
			if (s.get().isObject()) {
				objects.add((ObjectNode) s.get());
			}
		}
		return objects.isEmpty() ? null : pick(objects);
	}

	private String randomField(ObjectNode object) {
		List<String> names = new ArrayList<>();
		object.fieldNames().forEachRemaining(names::add);
		return pick(names);
	}

	private static void replace(JsonNode tree, JsonNode target, JsonNode replacement) {
		for (Slot s : slots(tree)) {
			if (s.get() == target) {
				s.set(replacement);
				return;
			}
		}
	}

	private String replaceNth(String text, String regex, String replacement) {
		Matcher m = Pattern.compile(regex).matcher(text);
		List<int[]> hits = new ArrayList<>();
		while (m.find()) {
			hits.add(new int[] {m.start(), m.end()});
		}
		if (hits.isEmpty()) {
			return text;
		}
		int[] hit = pick(hits);
		return text.substring(0, hit[0]) + replacement + text.substring(hit[1]);
	}

	/** The mutation's value as a reader can see it in a report: control and unpaired characters escaped. */
	static String printable(String value) {
		StringBuilder b = new StringBuilder();
		String shown = value.length() > 40 ? value.substring(0, 40) + "...(" + value.length() + ")" : value;
		for (char c : shown.toCharArray()) {
			b.append(c < 0x20 || Character.isSurrogate(c) || c >= 0xFFF0 || (c >= 0x2000 && c <= 0x206F) ? String.format("\\u%04X", (int) c) : c);
		}
		return b.toString();
	}
}
