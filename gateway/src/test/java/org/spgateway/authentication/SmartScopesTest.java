package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmartScopesTest {

	@Test
	void v1ReadAndWriteBecomeTheirV2Permissions() {
		assertThat(SmartScopes.normalise("system/Task.read system/ServiceRequest.write"))
				.containsExactly("system/ServiceRequest.cud", "system/Task.rs");
	}

	@Test
	void v1StarIsEveryPermission() {
		assertThat(SmartScopes.normalise("system/*.*")).containsExactly("system/*.cruds");
	}

	@Test
	void permissionsOfOneTypeAreMergedInV2Order() {
		assertThat(SmartScopes.normalise("system/Task.read system/Task.write")).containsExactly("system/Task.cruds");
		assertThat(SmartScopes.normalise(List.of("system/Task.s", "system/Task.c"))).containsExactly("system/Task.cs");
	}

	@Test
	void userScopesCountAsSystemScopes() {
		assertThat(SmartScopes.normalise("user/Patient.rs")).containsExactly("system/Patient.rs");
	}

	@Test
	void patientScopesQueriesBadOrderAndOtherScopesGrantNothing() {
		assertThat(SmartScopes.normalise("patient/Patient.read openid launch system/Task.sr system/Task.rs?category=x system/Task.rr")).isEmpty();
	}

	@Test
	void aWildcardTypeAllowsEveryTypeForItsPermissionsOnly() {
		Set<String> scopes = SmartScopes.normalise("system/*.rs");
		assertThat(SmartScopes.allows(scopes, "Task", 'r')).isTrue();
		assertThat(SmartScopes.allows(scopes, "Patient", 's')).isTrue();
		assertThat(SmartScopes.allows(scopes, "Task", 'u')).isFalse();
	}

	@Test
	void aTypeScopeAllowsOnlyItsType() {
		Set<String> scopes = SmartScopes.normalise("system/Task.rs");
		assertThat(SmartScopes.allows(scopes, "Task", 's')).isTrue();
		assertThat(SmartScopes.allows(scopes, "ServiceRequest", 's')).isFalse();
	}

	@Test
	void askedScopesAreWithinACeilingByMeaning() {
		Set<String> ceiling = Set.of("system/*.crus");
		assertThat(SmartScopes.within(SmartScopes.normalise("system/Task.read"), ceiling)).isTrue();
		assertThat(SmartScopes.within(SmartScopes.normalise("system/*.rs"), ceiling)).isTrue();
		assertThat(SmartScopes.within(SmartScopes.normalise("system/Task.d"), ceiling)).isFalse();
		assertThat(SmartScopes.within(SmartScopes.normalise("system/*.*"), ceiling)).isFalse();
		assertThat(SmartScopes.within(SmartScopes.normalise("system/*.rs"), Set.of("system/Task.rs"))).isFalse();
	}
}
