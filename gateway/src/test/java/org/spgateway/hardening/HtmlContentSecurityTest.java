package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HtmlContentSecurityTest {

	@Test
	void inlineScriptsAreAllowedByTheirHashAndScriptFilesOnlyFromTheGateway() throws Exception {
		String inline = "\n  window.onload = function() { start(); };\n";
		String html = "<html><head><script src=\"./bundle.js\" charset=\"UTF-8\"> </script><SCRIPT type=\"text/javascript\">" + inline
				+ "</SCRIPT></head><body onclick=\"x()\"></body></html>";
		String policy = HtmlContentSecurity.policyFor(html);
		String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8)));
		assertThat(policy).contains("script-src 'self' 'sha256-" + hash + "';");
		assertThat(policy).startsWith("default-src 'none';").contains("frame-ancestors 'none'").contains("base-uri 'none'");
		assertThat(policy.substring(policy.indexOf("script-src"), policy.indexOf(';', policy.indexOf("script-src"))))
				.doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
	}

	@Test
	void aPageWithoutInlineScriptsRunsScriptFilesFromTheGatewayOnly() {
		assertThat(HtmlContentSecurity.policyFor("<html><script src='/a.js'></script></html>")).contains("script-src 'self';");
	}
}
