package org.spgateway.workflow;

import java.util.Set;
import java.util.TimeZone;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeSystem;
import org.spgateway.access.ReferralParties;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.intake.ReferralRecords;
import org.spgateway.outcomes.OutcomesProperties;
import org.spgateway.resources.ResourceService;
import org.spgateway.store.ResourceStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The provider workflow: the enforced Task lifecycle, its bookkeeping and Task/$overdue. */
@Configuration(proxyBeanMethods = false)
public class WorkflowConfig {

	@Bean
	BusinessSteps businessSteps(ConformanceResources conformance) {
		return BusinessSteps.from(conformance);
	}

	@Bean
	TaskLifecycle taskLifecycle(ResourceService resources, ResourceStore store, ReferralRecords records, ServiceDirectory directory,
			BusinessSteps steps, ConformanceResources conformance, ReferralParties parties) {
		Set<String> reasons = conformance.ofType(CodeSystem.class).stream().filter(cs -> LifecycleCodes.REJECTION_REASON.equals(cs.getUrl()))
				.flatMap(cs -> cs.getConcept().stream()).map(CodeSystem.ConceptDefinitionComponent::getCode).collect(Collectors.toSet());
		if (reasons.isEmpty()) {
			throw new IllegalStateException("CodeSystem " + LifecycleCodes.REJECTION_REASON + " is missing from profiles/ or empty");
		}
		return new TaskLifecycle(resources, store, records, directory, new TaskRules(steps, reasons), parties);
	}

	@Bean
	TaskWorkflowIndex taskWorkflowIndex(JdbcTemplate jdbc, BusinessSteps steps) {
		return new TaskWorkflowIndex(jdbc, steps);
	}

	@Bean
	OverdueWork overdueWork(JdbcTemplate jdbc, WorkflowProperties properties, OutcomesProperties outcomes) {
		return new OverdueWork(jdbc, properties, outcomes.getTimeZone());
	}

	@Bean
	WorkflowProvider workflowProvider(OverdueWork overdueWork, WorkflowProperties properties, OutcomesProperties outcomes) {
		return new WorkflowProvider(overdueWork, properties, TimeZone.getTimeZone(outcomes.getTimeZone()));
	}
}
