package org.spgateway.server;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.view.RedirectView;

/** A person who opens the server's root in a browser lands on the API explorer. */
@RestController
public class RootRedirect {

	@GetMapping("/")
	public RedirectView root() {
		return new RedirectView("/fhir/swagger-ui/");
	}
}
