package org.spgateway.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.context.IWorkerContext;
import org.hl7.fhir.r4.elementmodel.Element;
import org.hl7.fhir.r4.elementmodel.Property;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * A partner's flat JSON as the mapping engine sees it: a plain JSON object (no resourceType) read into the element tree of the
 * logical-model StructureDefinition that describes it, so a StructureMap reads it like any structure, and an element tree a map
 * made written back out as plain JSON. Strict on the way in: a field the model does not have, a required field missing, or an
 * object where a value belongs is refused naming the field, so a partner's typo is not silently dropped.
 */
final class LogicalJson {

	/** JSON number types among the FHIR primitives; everything else is written as a string. */
	private static final Set<String> NUMBERS = Set.of("integer", "decimal", "positiveInt", "unsignedInt");
	/** What every element has from the base Element (and BackboneElement), and a flat JSON body does not use. */
	private static final Set<String> BASE_ELEMENTS = Set.of("id", "extension", "modifierExtension");

	/** Content that is not what the model describes: what is wrong, and the path of the field (dotted, as the partner wrote it). */
	static final class Problem extends RuntimeException {

		private final String path;

		Problem(String path, String problem) {
			super(problem);
			this.path = path;
		}

		String path() {
			return path;
		}
	}

	private final IWorkerContext worker;

	LogicalJson(IWorkerContext worker) {
		this.worker = worker;
	}

	/** An empty instance of the model, for a map to fill. */
	Element create(StructureDefinition model) {
		ElementDefinition root = model.getSnapshot().getElementFirstRep();
		return new Element(root.getPath(), new Property(worker, root, model));
	}

	/** @throws Problem when the JSON is not an instance of the model */
	Element read(StructureDefinition model, JsonNode json) {
		if (json == null || !json.isObject()) {
			throw new Problem("", "The body must be a JSON object, a " + model.getTitle());
		}
		Element root = create(model);
		fill(root, (ObjectNode) json, "");
		return root;
	}

	private void fill(Element element, ObjectNode json, String path) {
		Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
		while (fields.hasNext()) {
			Map.Entry<String, JsonNode> field = fields.next();
			String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
			Property property = BASE_ELEMENTS.contains(field.getKey()) ? null : element.getProperty().getChild(element.getName(), field.getKey());
			if (property == null) {
				throw new Problem(at, "'" + field.getKey() + "' is not a field of " + describe(element) + "; its fields are " + fields(element));
			}
			JsonNode value = field.getValue();
			if (value.isNull()) {
				continue;
			}
			if (value.isArray() != property.isList()) {
				throw new Problem(at, at + (property.isList() ? " is a list: give it as [ ... ] even with one item" : " is a single value, not a list"));
			}
			int index = 0;
			for (JsonNode item : value.isArray() ? value : List.of(value)) {
				String itemAt = value.isArray() ? at + "[" + index++ + "]" : at;
				element.getChildren().add(child(property, item, itemAt));
			}
		}
		for (Property property : children(element)) {
			if (property.getDefinition().getMin() > 0 && element.getChildrenByName(property.getName()).isEmpty()) {
				String at = path.isEmpty() ? property.getName() : path + "." + property.getName();
				throw new Problem(at, describe(element) + " needs '" + property.getName() + "': " + property.getDefinition().getDefinition());
			}
		}
	}

	private Element child(Property property, JsonNode item, String at) {
		Element child = new Element(property.getName(), property);
		if (property.isPrimitive(property.getType())) {
			if (!item.isValueNode()) {
				throw new Problem(at, at + " must be a value (" + property.getType() + "), not an object or a list");
			}
			if ("boolean".equals(property.getType()) && !item.isBoolean()) {
				throw new Problem(at, at + " must be true or false");
			}
			if (NUMBERS.contains(property.getType()) && !item.isNumber()) {
				throw new Problem(at, at + " must be a number");
			}
			String text = item.asText();
			if (text.isBlank()) {
				throw new Problem(at, at + " is empty: leave the field out instead");
			}
			child.setValue(text);
		} else {
			if (!item.isObject()) {
				throw new Problem(at, at + " must be an object with the fields " + fields(child));
			}
			fill(child, (ObjectNode) item, at);
		}
		return child;
	}

	/** The element tree as plain JSON: lists where the model says a list, JSON numbers and booleans where the type is one. */
	ObjectNode write(Element element) {
		ObjectNode out = JsonNodeFactory.instance.objectNode();
		Map<String, List<Element>> byName = new LinkedHashMap<>();
		if (element.getChildren() != null) {
			for (Element child : element.getChildren()) {
				byName.computeIfAbsent(child.getName(), n -> new ArrayList<>()).add(child);
			}
		}
		for (Map.Entry<String, List<Element>> named : byName.entrySet()) {
			boolean list = named.getValue().get(0).getProperty().isList();
			if (list) {
				ArrayNode array = out.putArray(named.getKey());
				named.getValue().forEach(e -> array.add(value(e)));
			} else {
				out.set(named.getKey(), value(named.getValue().get(named.getValue().size() - 1)));
			}
		}
		return out;
	}

	private JsonNode value(Element e) {
		if (!e.isPrimitive()) {
			return write(e);
		}
		String type = e.getType();
		String text = e.getValue();
		if (text == null) {
			return JsonNodeFactory.instance.nullNode();
		}
		if ("boolean".equals(type)) {
			return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text));
		}
		if (NUMBERS.contains(type)) {
			try {
				return JsonNodeFactory.instance.numberNode(new BigDecimal(text));
			} catch (NumberFormatException e1) {
				return JsonNodeFactory.instance.textNode(text);
			}
		}
		return JsonNodeFactory.instance.textNode(text);
	}

	private static List<Property> children(Element element) {
		try {
			List<Property> out = new ArrayList<>();
			for (ElementDefinition ed : element.getProperty().getStructure().getSnapshot().getElement()) {
				String parent = element.getProperty().getDefinition().getPath();
				if (ed.getPath().startsWith(parent + ".") && ed.getPath().indexOf('.', parent.length() + 1) < 0) {
					Property p = element.getProperty().getChild(element.getName(), ed.getPath().substring(parent.length() + 1));
					if (p != null && !BASE_ELEMENTS.contains(p.getName())) {
						out.add(p);
					}
				}
			}
			return out;
		} catch (FHIRException e) {
			return List.of();
		}
	}

	private static String fields(Element element) {
		return String.join(", ", children(element).stream().map(Property::getName).toList());
	}

	private static String describe(Element element) {
		String title = element.getProperty().getStructure().getTitle();
		return element.getProperty().getDefinition().getPath().contains(".") ? "'" + element.getName() + "'" : title != null ? title
				: element.getName();
	}
}
