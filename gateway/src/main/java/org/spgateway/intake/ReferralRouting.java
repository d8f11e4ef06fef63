package org.spgateway.intake;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.spgateway.directory.DirectoryOrganization;
import org.spgateway.directory.EligibilityRules;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.directory.ServiceListing;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.store.LocalReference;

/**
 * Decides which service takes a referral and whether it may: the service named in performer (by
 * reference or DoS id) or the BaRS target header, else the one service covering the requesting
 * practice that the person is eligible for. A referral that cannot be routed, or that the service's
 * rules refuse, is a 422 that says why in plain words and lists the services the person is eligible
 * for. A service that triages manually takes a referral that fails its rules, flagged for review.
 */
final class ReferralRouting {

	private final ServiceDirectory directory;
	private final int maxAlternatives;

	ReferralRouting(ServiceDirectory directory, int maxAlternatives) {
		this.directory = directory;
		this.maxAlternatives = maxAlternatives;
	}

	/** The facts routing needs about one referral. */
	record Facts(List<Reference> performers, ReferralResolver resolver, Identifier targetHeader, Set<String> practices, boolean selfReferral,
			EligibilityRules.Facts eligibility, Instant now) {}

	/** The service chosen, and the rules it failed when it takes the referral for manual triage (else empty). */
	record Decision(ServiceListing service, List<EligibilityRules.Failure> triage) {}

	/** A reason a service cannot take the referral, with the element at fault; {@code triageable} when manual triage may accept it. */
	private record Problem(String text, String expression, boolean triageable) {}

	Decision route(Facts facts) {
		List<ServiceListing> pool = null;
		ServiceListing named = null;
		String namedAt = null;
		for (int i = 0; i < facts.performers().size(); i++) {
			Reference performer = facts.performers().get(i);
			String at = "ServiceRequest.performer[" + i + "]";
			String type = typeOf(performer, facts.resolver());
			if ("HealthcareService".equals(type)) {
				ServiceListing service = service(performer, facts.resolver());
				if (service == null) {
					throw unknownService("ServiceRequest.performer[" + i + "] names " + describe(performer)
							+ ", which is not a service in the gateway's directory", at, facts);
				}
				if (named != null && !named.id().equals(service.id())) {
					throw refused(List.of(issue(IssueSeverity.ERROR, IssueType.BUSINESSRULE, "The referral names two services (" + named.label() + " and "
							+ service.label() + "); name one", at)));
				}
				named = service;
				namedAt = at;
			} else if ("Organization".equals(type) && pool == null) {
				DirectoryOrganization provider = provider(performer, facts.resolver());
				if (provider == null) {
					throw unknownService("ServiceRequest.performer[" + i + "] names " + describe(performer)
							+ ", which is not an organisation in the gateway's directory", at, facts);
				}
				pool = directory.servicesProvidedBy(provider.id());
				if (pool.isEmpty()) {
					throw unknownService(provider.label() + ", named in ServiceRequest.performer[" + i + "], runs no service in the gateway's directory", at,
							facts);
				}
			}
		}
		Identifier target = facts.targetHeader();
		if (target != null) {
			if (NhsIdentifiers.DOS_SERVICE.equals(target.getSystem())) {
				ServiceListing service = directory.serviceByIdentifier(target.getSystem(), target.getValue());
				if (service == null) {
					throw unknownService("The NHSD-Target-Identifier header names DoS service " + target.getValue()
							+ ", which is not a service in the gateway's directory", null, facts);
				}
				if (named != null && !named.id().equals(service.id())) {
					throw refused(List.of(issue(IssueSeverity.ERROR, IssueType.BUSINESSRULE, "The NHSD-Target-Identifier header names " + service.label()
							+ " but the referral's performer names " + named.label() + "; they must agree", namedAt)));
				}
				named = service;
			} else if (named == null && pool == null) {
				DirectoryOrganization provider = directory.organizationByIdentifier(target.getSystem(), target.getValue());
				if (provider == null || directory.servicesProvidedBy(provider.id()).isEmpty()) {
					throw unknownService("The NHSD-Target-Identifier header names organisation " + target.getValue()
							+ ", which runs no service in the gateway's directory", null, facts);
				}
				pool = directory.servicesProvidedBy(provider.id());
			}
		}
		if (named != null) {
			return decide(named, namedAt, facts);
		}
		return choose(pool != null ? pool : directory.services(), pool != null, facts);
	}

	/** The named service: it takes the referral, or takes it for manual triage, or the referral is refused. */
	private Decision decide(ServiceListing service, String at, Facts facts) {
		List<Problem> problems = problems(service, facts, false);
		List<Problem> blocking = problems.stream().filter(p -> !p.triageable() || !service.rules().manualTriage()).toList();
		if (blocking.isEmpty()) {
			return new Decision(service, service.rules().check(facts.eligibility()));
		}
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		String reasons = blocking.stream().map(Problem::text).collect(Collectors.joining("; "));
		List<ServiceListing> alternatives = alternatives(facts, Set.of(service.id()));
		issues.add(issue(IssueSeverity.ERROR, IssueType.BUSINESSRULE, service.label() + " cannot take this referral: " + reasons + ". "
				+ alternativesText(alternatives), blocking.get(0).expression() != null ? blocking.get(0).expression() : at));
		for (int i = 1; i < blocking.size(); i++) {
			issues.add(issue(IssueSeverity.ERROR, IssueType.BUSINESSRULE, service.label() + ": " + blocking.get(i).text(), blocking.get(i).expression()));
		}
		addAlternatives(issues, alternatives, facts);
		throw refused(issues);
	}

	/** No service named: the single suitable service covering the practice (or among the named provider's services). */
	private Decision choose(List<ServiceListing> pool, boolean providerNamed, Facts facts) {
		List<ServiceListing> candidates = new ArrayList<>();
		for (ServiceListing s : pool) {
			boolean covers = s.coveredPractices().stream().anyMatch(facts.practices()::contains) || (providerNamed && s.coversAnyPractice());
			if (covers && s.unavailableReason(facts.now()) == null && (!s.selfReferralOnly() || facts.selfReferral())) {
				candidates.add(s);
			}
		}
		List<ServiceListing> eligible = candidates.stream().filter(s -> s.rules().check(facts.eligibility()).isEmpty()).toList();
		if (eligible.size() == 1) {
			return new Decision(eligible.get(0), List.of());
		}
		if (eligible.size() > 1) {
			throw several(eligible, facts);
		}
		List<ServiceListing> triage = candidates.stream().filter(s -> s.rules().manualTriage()).toList();
		if (triage.size() == 1) {
			return new Decision(triage.get(0), triage.get(0).rules().check(facts.eligibility()));
		}
		if (triage.size() > 1) {
			throw several(triage, facts);
		}
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		List<ServiceListing> alternatives = alternatives(facts, Set.of());
		if (candidates.isEmpty()) {
			issues.add(issue(IssueSeverity.ERROR, IssueType.NOTFOUND, "No route for this referral: no service in the directory that is taking referrals covers "
					+ practicesText(facts) + ". Name a service in ServiceRequest.performer (by reference or DoS id). " + alternativesText(alternatives),
					"ServiceRequest.performer"));
		} else {
			String why = candidates.stream().map(s -> s.label() + ": " + s.rules().check(facts.eligibility()).stream()
					.map(EligibilityRules.Failure::diagnostics).collect(Collectors.joining("; "))).collect(Collectors.joining(". "));
			issues.add(issue(IssueSeverity.ERROR, IssueType.BUSINESSRULE, "No route for this referral: the person is not eligible for any service covering "
					+ practicesText(facts) + ". " + why + ". " + alternativesText(alternatives), "ServiceRequest.performer"));
		}
		addAlternatives(issues, alternatives, facts);
		throw refused(issues);
	}

	private UnprocessableEntityException several(List<ServiceListing> services, Facts facts) {
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		issues.add(issue(IssueSeverity.ERROR, IssueType.MULTIPLEMATCHES, "No single route for this referral: " + services.size()
				+ " services covering " + practicesText(facts) + " could take it (" + services.stream().map(ServiceListing::label)
						.collect(Collectors.joining("; ")) + "). Name one in ServiceRequest.performer (by reference or DoS id)", "ServiceRequest.performer"));
		for (ServiceListing s : services) {
			issues.add(candidate("Candidate: ", s));
		}
		return refused(issues);
	}

	/** Everything that stops a service taking this referral. */
	private List<Problem> problems(ServiceListing service, Facts facts, boolean forAlternative) {
		List<Problem> problems = new ArrayList<>();
		String unavailable = service.unavailableReason(facts.now());
		if (unavailable != null) {
			problems.add(new Problem("it " + unavailable.substring(service.name().length() + 1), "ServiceRequest.performer", false));
		}
		if (service.selfReferralOnly() && !facts.selfReferral()) {
			String contact = service.telecom().isEmpty() ? "" : " (" + service.telecom().stream()
					.map(t -> (t.hasSystem() ? t.getSystem().toCode() + " " : "") + t.getValue()).collect(Collectors.joining(", ")) + ")";
			problems.add(new Problem("it takes self-referrals only: the person can contact it directly" + contact, "ServiceRequest.performer", false));
		}
		if (!service.coversAnyPractice() && service.coveredPractices().stream().noneMatch(facts.practices()::contains)) {
			problems.add(new Problem("it takes patients of " + String.join(", ", practiceNames(service.coveredPractices())) + " only, and this referral is for "
					+ practicesText(facts), "ServiceRequest.requester", false));
		}
		for (EligibilityRules.Failure f : service.rules().check(facts.eligibility())) {
			problems.add(new Problem(f.diagnostics(), f.rule() == EligibilityRules.Rule.CONDITION ? "ServiceRequest.reasonCode" : "ServiceRequest.subject",
					true));
		}
		return problems;
	}

	/** Services in the directory this person is eligible for and could be referred to, most relevant first. */
	private List<ServiceListing> alternatives(Facts facts, Set<String> except) {
		List<ServiceListing> covering = new ArrayList<>();
		List<ServiceListing> open = new ArrayList<>();
		for (ServiceListing s : directory.services()) {
			if (except.contains(s.id()) || s.selfReferralOnly() && !facts.selfReferral()) {
				continue;
			}
			if (problems(s, facts, true).isEmpty()) {
				(s.coversAnyPractice() ? open : covering).add(s);
			}
		}
		covering.addAll(open);
		return covering.size() > maxAlternatives ? covering.subList(0, maxAlternatives) : covering;
	}

	private static String alternativesText(List<ServiceListing> alternatives) {
		if (alternatives.isEmpty()) {
			return "No other service in the directory can take this referral for this person.";
		}
		return "Services in the directory this person is eligible for: " + alternatives.stream().map(s -> s.label()
				+ (s.typicalWaitText() == null ? "" : ", " + s.typicalWaitText())).collect(Collectors.joining("; ")) + ".";
	}

	private static void addAlternatives(List<OperationOutcome.OperationOutcomeIssueComponent> issues, List<ServiceListing> alternatives, Facts facts) {
		for (ServiceListing s : alternatives) {
			issues.add(candidate("Eligible alternative: ", s));
		}
	}

	private static OperationOutcome.OperationOutcomeIssueComponent candidate(String prefix, ServiceListing s) {
		OperationOutcome.OperationOutcomeIssueComponent issue = issue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL,
				prefix + s.label() + (s.typicalWaitText() == null ? "" : "; " + s.typicalWaitText()), null);
		if (s.identifier() != null) {
			issue.getDetails().addCoding().setSystem(s.identifier().getSystem()).setCode(s.identifier().getValue()).setDisplay(s.name());
		}
		issue.getDetails().setText("HealthcareService/" + s.id());
		return issue;
	}

	private String practicesText(Facts facts) {
		if (facts.practices().isEmpty()) {
			return "a person whose practice is not known (no ODS code on the requester or on Patient.generalPractitioner)";
		}
		return "patients of " + String.join(" or ", practiceNames(facts.practices()));
	}

	private List<String> practiceNames(Set<String> odsCodes) {
		List<String> names = new ArrayList<>();
		for (String ods : odsCodes) {
			DirectoryOrganization org = directory.organizationByIdentifier(NhsIdentifiers.ODS_ORGANIZATION, ods);
			names.add(org != null ? org.label() : ods);
		}
		return names;
	}

	private ServiceListing service(Reference performer, ReferralResolver resolver) {
		LocalReference local = LocalReference.parse(performer.getReference());
		if (local != null && directory.service(local.id()) != null) {
			return directory.service(local.id());
		}
		ReferralResolver.Found found = resolver.resolve(performer);
		if (found != null && found.resource() instanceof HealthcareService hs) {
			for (Identifier i : hs.getIdentifier()) {
				ServiceListing s = i.hasValue() ? directory.serviceByIdentifier(i.getSystem(), i.getValue()) : null;
				if (s != null) {
					return s;
				}
			}
		}
		if (performer.hasIdentifier() && performer.getIdentifier().hasValue()) {
			return directory.serviceByIdentifier(performer.getIdentifier().getSystem(), performer.getIdentifier().getValue());
		}
		return null;
	}

	private DirectoryOrganization provider(Reference performer, ReferralResolver resolver) {
		DirectoryOrganization org = directory.organization(performer);
		if (org != null) {
			return org;
		}
		ReferralResolver.Found found = resolver.resolve(performer);
		if (found != null && found.resource() instanceof Organization o) {
			for (Identifier i : o.getIdentifier()) {
				DirectoryOrganization known = i.hasValue() ? directory.organizationByIdentifier(i.getSystem(), i.getValue()) : null;
				if (known != null) {
					return known;
				}
			}
		}
		return null;
	}

	private static String typeOf(Reference performer, ReferralResolver resolver) {
		String type = resolver.typeOf(performer);
		if (type == null && performer.hasIdentifier()) {
			String system = NhsIdentifiers.canonicalSystem(performer.getIdentifier().getSystem());
			if (NhsIdentifiers.DOS_SERVICE.equals(system)) {
				return "HealthcareService";
			}
			if (NhsIdentifiers.ODS_ORGANIZATION.equals(system)) {
				return "Organization";
			}
		}
		return type;
	}

	private UnprocessableEntityException unknownService(String text, String at, Facts facts) {
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		List<ServiceListing> alternatives = alternatives(facts, Set.of());
		issues.add(issue(IssueSeverity.ERROR, IssueType.NOTFOUND, "Unknown service: " + text + ". " + alternativesText(alternatives), at));
		addAlternatives(issues, alternatives, facts);
		return refused(issues);
	}

	private static String describe(Reference ref) {
		if (ref.hasIdentifier() && ref.getIdentifier().hasValue()) {
			String system = NhsIdentifiers.canonicalSystem(ref.getIdentifier().getSystem());
			return NhsIdentifiers.DOS_SERVICE.equals(system) ? "DoS service " + ref.getIdentifier().getValue()
					: NhsIdentifiers.ODS_ORGANIZATION.equals(system) ? "ODS code " + ref.getIdentifier().getValue()
					: system + "|" + ref.getIdentifier().getValue();
		}
		return ref.hasReference() ? ref.getReference() : String.valueOf(ref.getDisplay());
	}

	static OperationOutcome.OperationOutcomeIssueComponent issue(IssueSeverity severity, IssueType type, String text, String expression) {
		OperationOutcome.OperationOutcomeIssueComponent issue = new OperationOutcome.OperationOutcomeIssueComponent().setSeverity(severity).setCode(type)
				.setDiagnostics(text);
		if (expression != null) {
			issue.addExpression(expression);
		}
		return issue;
	}

	static UnprocessableEntityException refused(List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		OperationOutcome outcome = new OperationOutcome();
		issues.forEach(outcome::addIssue);
		return new UnprocessableEntityException(issues.get(0).getDiagnostics(), outcome);
	}

	static Set<String> set(String... values) {
		Set<String> s = new LinkedHashSet<>();
		for (String v : values) {
			if (v != null) {
				s.add(v);
			}
		}
		return s;
	}
}
