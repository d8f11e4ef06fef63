package org.spgateway.outcomes;

import java.time.Period;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemAnswerOptionComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.Type;

/**
 * Reads the scoring rules out of a Questionnaire (see docs/outcomes.md). Every rule lives in the
 * Questionnaire, so adding an instrument needs no code. A Questionnaire whose rules contradict
 * themselves compiles with problems: conformance ones stop start-up, API ones are refused.
 *
 * <p>A scored item is an item with a {@code code} that is either an integer item bounded by the
 * {@code minValue} and {@code maxValue} extensions, or a choice item whose every answer option has an
 * ordinal value. The total is the read-only integer item marked {@code sp-score-total}.
 */
public final class InstrumentCompiler {

	private InstrumentCompiler() {}

	public static Instrument compile(Questionnaire q) {
		List<Instrument.Problem> problems = new ArrayList<>();
		Map<String, ScoredItem> scored = new LinkedHashMap<>();
		ScoredItem[] total = {null};
		boolean extractAll = flag(q, OutcomeExtensions.OBSERVATION_EXTRACT, false);
		walk(q.getItem(), extractAll, scored, total, new HashSet<>(), problems);
		if (total[0] != null) {
			if (scored.isEmpty()) {
				problems.add(new Instrument.Problem(total[0].linkId(), "item '" + total[0].linkId() + "' is a total but the Questionnaire has no scored items"));
			} else {
				int low = 0;
				int high = 0;
				for (ScoredItem item : scored.values()) {
					low += item.low();
					high += item.high();
				}
				if (low != total[0].low() || high != total[0].high()) {
					problems.add(new Instrument.Problem(total[0].linkId(), "the total '" + total[0].linkId() + "' runs from " + total[0].low() + " to " + total[0].high()
							+ " but its items add up to " + low + " to " + high));
				}
			}
		}
		Period interval = null;
		List<Extension> intervals = q.getExtensionsByUrl(OutcomeExtensions.REVIEW_INTERVAL);
		if (intervals.size() > 1) {
			problems.add(new Instrument.Problem(null, "it has more than one " + OutcomeExtensions.REVIEW_INTERVAL + " extension"));
		} else if (intervals.size() == 1) {
			Extension e = intervals.get(0);
			if (e.getExtensionByUrl("instrument") != null) {
				problems.add(new Instrument.Problem(null, "its review interval names an instrument; that part is for HealthcareService only"));
			}
			try {
				interval = reviewInterval(e);
			} catch (IllegalArgumentException ex) {
				problems.add(new Instrument.Problem(null, ex.getMessage()));
			}
		}
		String id = q.getIdElement().getIdPart();
		return new Instrument(q, id, q.getUrl(), q.hasVersion() ? q.getVersion() : null, q.getName(), q.getTitle(), q.getStatus(),
				Collections.unmodifiableMap(scored), total[0], interval, signature(scored, total[0]), List.copyOf(problems));
	}

	/** The interval part of an sp-review-interval extension, as a calendar period. */
	static Period reviewInterval(Extension extension) {
		Extension part = extension.getExtensionByUrl("interval");
		if (part == null || !(part.getValue() instanceof Duration d) || !d.hasValue()) {
			throw new IllegalArgumentException("its review interval has no 'interval' Duration");
		}
		if (d.getValue().signum() <= 0 || d.getValue().stripTrailingZeros().scale() > 0) {
			throw new IllegalArgumentException("its review interval must be a whole, positive number of days, weeks, months or years");
		}
		int n = d.getValue().intValueExact();
		String code = d.hasCode() ? d.getCode() : d.getUnit();
		return switch (code == null ? "" : code) {
			case "d", "day", "days" -> Period.ofDays(n);
			case "wk", "week", "weeks" -> Period.ofWeeks(n);
			case "mo", "month", "months" -> Period.ofMonths(n);
			case "a", "year", "years" -> Period.ofYears(n);
			default -> throw new IllegalArgumentException("its review interval's unit '" + code + "' is not one of d, wk, mo, a (UCUM)");
		};
	}

	private static void walk(List<QuestionnaireItemComponent> items, boolean extractInherited, Map<String, ScoredItem> scored,
			ScoredItem[] total, Set<String> linkIds, List<Instrument.Problem> problems) {
		for (QuestionnaireItemComponent item : items) {
			String linkId = item.getLinkId();
			if (linkId != null && !linkIds.add(linkId)) {
				problems.add(new Instrument.Problem(linkId, "linkId '" + linkId + "' is used by more than one item"));
			}
			boolean extract = flag(item, OutcomeExtensions.OBSERVATION_EXTRACT, extractInherited);
			ScoredItem s = scoredItem(item, extract, problems);
			if (s != null && s.total()) {
				if (total[0] != null) {
					problems.add(new Instrument.Problem(linkId, "items '" + total[0].linkId() + "' and '" + linkId + "' are both marked as the total"));
				}
				total[0] = s;
			} else if (s != null) {
				scored.put(linkId, s);
			}
			walk(item.getItem(), extract, scored, total, linkIds, problems);
		}
	}

	private static ScoredItem scoredItem(QuestionnaireItemComponent item, boolean extract, List<Instrument.Problem> problems) {
		String at = "item '" + item.getLinkId() + "'";
		ScoreDirection direction = ScoreDirection.HIGHER_IS_BETTER;
		Extension directionExt = item.getExtensionByUrl(OutcomeExtensions.SCORE_DIRECTION);
		if (directionExt != null) {
			direction = directionExt.getValue() instanceof CodeType c ? ScoreDirection.fromCode(c.getValue()) : null;
			if (direction == null) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " has a score direction that is not higher-is-better or lower-is-better"));
				direction = ScoreDirection.HIGHER_IS_BETTER;
			}
		}
		boolean reverse = flag(item, OutcomeExtensions.REVERSE_SCORED, false);
		Extension totalExt = item.getExtensionByUrl(OutcomeExtensions.SCORE_TOTAL);
		Integer min = bound(item, OutcomeExtensions.MIN_VALUE, at, problems);
		Integer max = bound(item, OutcomeExtensions.MAX_VALUE, at, problems);
		List<ScoredItem.ScaleLabel> labels = labels(item, at, problems);
		if (totalExt != null) {
			if (!(totalExt.getValue() instanceof CodeType c) || !"sum".equals(c.getValue())) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " is a total with an unknown method; the method is 'sum'"));
			}
			if (item.getType() != QuestionnaireItemType.INTEGER || !item.hasCode() || min == null || max == null) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " is a total, so it must be an integer item with a code, minValue and maxValue"));
				return null;
			}
			if (!item.getReadOnly()) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " is a total, computed by the gateway, so it must be readOnly"));
			}
			if (reverse) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " is a total and cannot be reverse-scored"));
			}
			return new ScoredItem(item.getLinkId(), item.getText(), codes(item), min, max, Map.of(), Map.of(), false, direction, extract, labels, true);
		}
		boolean scoringExtensions = directionExt != null || reverse;
		if (!item.hasCode()) {
			if (scoringExtensions) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " has scoring extensions but no code; a scored item needs a code"));
			}
			return null;
		}
		if (item.getType() == QuestionnaireItemType.INTEGER) {
			if (min == null || max == null) {
				if (scoringExtensions) {
					problems.add(new Instrument.Problem(item.getLinkId(), at + " has scoring extensions but no minValue and maxValue; a scored integer item needs its range"));
				}
				return null;
			}
			if (min > max) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " has minValue " + min + " above its maxValue " + max));
				return null;
			}
			for (ScoredItem.ScaleLabel l : labels) {
				if (l.from() < min || l.to() > max || l.from() > l.to()) {
					problems.add(new Instrument.Problem(item.getLinkId(), at + " has a scale label for " + l.from() + " to " + l.to() + ", outside its range " + min + " to " + max));
				}
			}
			return new ScoredItem(item.getLinkId(), item.getText(), codes(item), min, max, Map.of(), Map.of(), reverse, direction, extract, labels,
					false);
		}
		if ((item.getType() == QuestionnaireItemType.CHOICE || item.getType() == QuestionnaireItemType.OPENCHOICE) && item.hasAnswerOption()) {
			Map<String, Integer> ordinals = new LinkedHashMap<>();
			Map<String, String> optionLabels = new LinkedHashMap<>();
			int missing = 0;
			for (QuestionnaireItemAnswerOptionComponent option : item.getAnswerOption()) {
				Integer ordinal = ordinal(option);
				String key = ScoredItem.optionKey(option.getValue());
				if (ordinal == null || key == null) {
					missing++;
					continue;
				}
				ordinals.put(key, ordinal);
				optionLabels.put(key, optionLabel(option.getValue()));
			}
			if (ordinals.isEmpty()) {
				if (scoringExtensions) {
					problems.add(new Instrument.Problem(item.getLinkId(), at + " has scoring extensions but its answer options have no ordinal values"));
				}
				return null;
			}
			if (missing > 0) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " gives ordinal values to some answer options but not to all"));
				return null;
			}
			if (item.getType() == QuestionnaireItemType.OPENCHOICE) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " is open-choice: a free-text answer cannot be scored; make it a choice item"));
				return null;
			}
			int low = ordinals.values().stream().min(Integer::compare).orElseThrow();
			int high = ordinals.values().stream().max(Integer::compare).orElseThrow();
			return new ScoredItem(item.getLinkId(), item.getText(), codes(item), low, high, Collections.unmodifiableMap(ordinals),
					Collections.unmodifiableMap(optionLabels), reverse, direction, extract, labels, false);
		}
		if (scoringExtensions) {
			problems.add(new Instrument.Problem(item.getLinkId(), at + " has scoring extensions but is neither a bounded integer item nor a choice item with ordinal values"));
		}
		return null;
	}

	private static Integer ordinal(QuestionnaireItemAnswerOptionComponent option) {
		List<Element> holders = new ArrayList<>();
		holders.add(option);
		if (option.hasValue()) {
			holders.add(option.getValue());
		}
		for (Element holder : holders) {
			for (String url : List.of(OutcomeExtensions.ORDINAL_VALUE, OutcomeExtensions.ITEM_WEIGHT)) {
				Extension ext = holder.getExtensionByUrl(url);
				if (ext != null && ext.getValue() instanceof DecimalType d && d.getValue() != null) {
					try {
						return d.getValue().intValueExact();
					} catch (ArithmeticException notWhole) {
						return null;
					}
				}
				if (ext != null && ext.getValue() instanceof IntegerType i) {
					return i.getValue();
				}
			}
		}
		return null;
	}

	private static String optionLabel(Type value) {
		if (value instanceof Coding c) {
			return c.hasDisplay() ? c.getDisplay() : c.getCode();
		}
		return value.primitiveValue();
	}

	private static Integer bound(QuestionnaireItemComponent item, String url, String at, List<Instrument.Problem> problems) {
		Extension e = item.getExtensionByUrl(url);
		if (e == null) {
			return null;
		}
		if (e.getValue() instanceof IntegerType i && i.getValue() != null) {
			return i.getValue();
		}
		if (item.getType() == QuestionnaireItemType.INTEGER) {
			problems.add(new Instrument.Problem(item.getLinkId(), at + " is an integer item, so its " + (url.endsWith("minValue") ? "minValue" : "maxValue") + " must be a valueInteger"));
		}
		return null;
	}

	private static List<ScoredItem.ScaleLabel> labels(QuestionnaireItemComponent item, String at, List<Instrument.Problem> problems) {
		List<ScoredItem.ScaleLabel> labels = new ArrayList<>();
		for (Extension e : item.getExtensionsByUrl(OutcomeExtensions.SCALE_LABEL)) {
			Extension from = e.getExtensionByUrl("from");
			Extension to = e.getExtensionByUrl("to");
			Extension label = e.getExtensionByUrl("label");
			if (from == null || !(from.getValue() instanceof IntegerType f) || label == null || !label.hasValue()) {
				problems.add(new Instrument.Problem(item.getLinkId(), at + " has a scale label without 'from' or 'label'"));
				continue;
			}
			int upper = to != null && to.getValue() instanceof IntegerType t ? t.getValue() : f.getValue();
			labels.add(new ScoredItem.ScaleLabel(f.getValue(), upper, label.getValue().primitiveValue()));
		}
		return List.copyOf(labels);
	}

	private static List<Coding> codes(QuestionnaireItemComponent item) {
		return item.getCode().stream().map(Coding::copy).toList();
	}

	private static boolean flag(Element element, String url, boolean otherwise) {
		Extension e = element.getExtensionByUrl(url);
		return e != null && e.getValue() instanceof BooleanType b && b.getValue() != null ? b.getValue() : otherwise;
	}

	private static boolean flag(Questionnaire q, String url, boolean otherwise) {
		Extension e = q.getExtensionByUrl(url);
		return e != null && e.getValue() instanceof BooleanType b && b.getValue() != null ? b.getValue() : otherwise;
	}

	private static String signature(Map<String, ScoredItem> scored, ScoredItem total) {
		StringBuilder s = new StringBuilder();
		for (ScoredItem item : scored.values()) {
			append(s, item);
		}
		if (total != null) {
			s.append("total:");
			append(s, total);
		}
		return s.toString();
	}

	private static void append(StringBuilder s, ScoredItem item) {
		s.append(item.linkId()).append('[');
		item.codes().forEach(c -> s.append(c.getSystem()).append('|').append(c.getCode()).append(' '));
		s.append(item.low()).append("..").append(item.high()).append(item.reverse() ? " reverse" : "").append(' ')
				.append(item.direction().code());
		item.ordinals().forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
		s.append("];");
	}
}
