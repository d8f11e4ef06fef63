package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spgateway.authentication.ScopeCheck.Need;

/** The whole interaction table: what each interaction and operation needs, and that exactly that scope grants it. */
class ScopeCheckTest {

	static Stream<Arguments> interactions() {
		return Stream.of(
				Arguments.of(RestOperationTypeEnum.READ, "Patient", null, "system/Patient.r"),
				Arguments.of(RestOperationTypeEnum.VREAD, "Patient", null, "system/Patient.r"),
				Arguments.of(RestOperationTypeEnum.HISTORY_INSTANCE, "Task", null, "system/Task.r"),
				Arguments.of(RestOperationTypeEnum.HISTORY_TYPE, "Task", null, "system/Task.r"),
				Arguments.of(RestOperationTypeEnum.HISTORY_SYSTEM, null, null, "system/*.r"),
				Arguments.of(RestOperationTypeEnum.SEARCH_TYPE, "Task", null, "system/Task.s"),
				Arguments.of(RestOperationTypeEnum.SEARCH_SYSTEM, null, null, "system/*.s"),
				Arguments.of(RestOperationTypeEnum.CREATE, "ServiceRequest", null, "system/ServiceRequest.c"),
				Arguments.of(RestOperationTypeEnum.UPDATE, "Task", null, "system/Task.u"),
				Arguments.of(RestOperationTypeEnum.PATCH, "Task", null, "system/Task.u"),
				Arguments.of(RestOperationTypeEnum.DELETE, "Patient", null, "system/Patient.d"),
				Arguments.of(RestOperationTypeEnum.VALIDATE, "Patient", "$validate", "system/Patient.r"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, null, "$process-message", "system/ServiceRequest.c"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "Task", "$overdue", "system/Task.s"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, "ServiceRequest", "$outcomes",
						"system/ServiceRequest.r system/Observation.s"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "ServiceRequest", "$reviews-due", "system/ServiceRequest.s"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, "Subscription", "$redrive", "system/Subscription.u"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, "Endpoint", "$redrive", "system/Endpoint.u"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, "Task", "$partner-status", "system/Task.u"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "StructureMap", "$transform", "system/StructureMap.r"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "ConceptMap", "$translate", "system/ConceptMap.r"),
				Arguments.of(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "Patient", "$unknown-operation", "system/Patient.cruds"));
	}

	@ParameterizedTest(name = "{0} {1} {2} needs {3}")
	@MethodSource("interactions")
	void eachInteractionNeedsItsScopeAndThatScopeIsEnough(RestOperationTypeEnum interaction, String type, String operation, String needed) {
		List<Need> needs = ScopeCheck.needs(interaction, type, operation);
		Set<String> exactly = SmartScopes.normalise(needed);
		assertThat(needs.stream().map(Need::v2).toList()).containsExactlyInAnyOrderElementsOf(expand(needed));
		assertThat(ScopeCheck.missing(exactly, needs)).isNull();
		assertThat(ScopeCheck.missing(SmartScopes.normalise("system/*.*"), needs)).isNull();
		assertThat(ScopeCheck.missing(Set.of(), needs)).isEqualTo(needs.get(0));
		// Every other permission on every type is still not enough.
		String others = needs.stream().map(n -> "system/*." + SmartScopes.ALL.replace(String.valueOf(n.permission()), ""))
				.findFirst().orElseThrow();
		if (needs.size() == 1) {
			assertThat(ScopeCheck.missing(SmartScopes.normalise(others), needs)).isEqualTo(needs.get(0));
		}
	}

	@Test
	void v1ScopesGrantTheSameInteractions() {
		assertThat(ScopeCheck.missing(SmartScopes.normalise("system/Task.read"),
				ScopeCheck.needs(RestOperationTypeEnum.SEARCH_TYPE, "Task", null))).isNull();
		assertThat(ScopeCheck.missing(SmartScopes.normalise("system/Task.read"), ScopeCheck.needs(RestOperationTypeEnum.UPDATE, "Task", null)))
				.isEqualTo(new Need("Task", 'u'));
		assertThat(ScopeCheck.missing(SmartScopes.normalise("system/ServiceRequest.write"),
				ScopeCheck.needs(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, null, "$process-message"))).isNull();
	}

	@Test
	void metadataAndBundlesNeedNoScopeOfTheirOwn() {
		assertThat(ScopeCheck.needs(RestOperationTypeEnum.METADATA, null, null)).isEmpty();
		assertThat(ScopeCheck.needs(RestOperationTypeEnum.TRANSACTION, null, null)).isEmpty();
	}

	@Test
	void aBulkImportNeedsCreateOnEachInputTypeWhichOnlyItsBodyNames() {
		assertThat(ScopeCheck.needs(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, null, "$import")).isEmpty();
		assertThat(ScopeCheck.needs(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, null, "$import-poll-status")).isEmpty();
		assertThat(ScopeCheck.forImport("Patient").v2()).isEqualTo("system/Patient.c");
		assertThat(ScopeCheck.missing(SmartScopes.normalise("system/Patient.rus"), List.of(ScopeCheck.forImport("Patient"))))
				.isEqualTo(new Need("Patient", 'c'));
	}

	@Test
	void bundleEntriesNeedTheScopeOfTheirMethodAndUrl() {
		assertThat(ScopeCheck.forEntry("POST", "ServiceRequest")).isEqualTo(new Need("ServiceRequest", 'c'));
		assertThat(ScopeCheck.forEntry("PUT", "Task/1")).isEqualTo(new Need("Task", 'u'));
		assertThat(ScopeCheck.forEntry("PATCH", "Task/1")).isEqualTo(new Need("Task", 'u'));
		assertThat(ScopeCheck.forEntry("DELETE", "Patient/1")).isEqualTo(new Need("Patient", 'd'));
		assertThat(ScopeCheck.forEntry("GET", "Patient/1")).isEqualTo(new Need("Patient", 'r'));
		assertThat(ScopeCheck.forEntry("GET", "Patient/1/_history/2")).isEqualTo(new Need("Patient", 'r'));
		assertThat(ScopeCheck.forEntry("GET", "Patient?identifier=x")).isEqualTo(new Need("Patient", 's'));
		assertThat(ScopeCheck.forEntry("POST", "Patient/_search")).isEqualTo(new Need("Patient", 's'));
	}

	@Test
	void onlyMetadataAndPlainReadsOfConformanceResourcesArePublic() {
		Map<String, String[]> none = Map.of();
		assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.METADATA, null, none)).isTrue();
		for (String type : ScopeCheck.PUBLIC_TYPES) {
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.READ, type, none)).isTrue();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.SEARCH_TYPE, type, Map.of("url", new String[] {"x"}))).isTrue();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.CREATE, type, none)).isFalse();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.SEARCH_TYPE, type, Map.of("_revinclude", new String[] {"x"}))).isFalse();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.SEARCH_TYPE, type, Map.of("_include:iterate", new String[] {"x"}))).isFalse();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.SEARCH_TYPE, type, Map.of("_has:Task:focus:status", new String[] {"x"})))
					.isFalse();
			assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, type, none)).isFalse();
		}
		assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.READ, "Patient", none)).isFalse();
		assertThat(ScopeCheck.isPublic(RestOperationTypeEnum.SEARCH_SYSTEM, null, none)).isFalse();
	}

	private static List<String> expand(String needed) {
		return Stream.of(needed.split(" ")).flatMap(scope -> {
			int dot = scope.lastIndexOf('.');
			return scope.substring(dot + 1).chars().mapToObj(c -> scope.substring(0, dot + 1) + (char) c);
		}).toList();
	}
}
