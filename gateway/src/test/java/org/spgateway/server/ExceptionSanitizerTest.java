package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.OperationParameter;
import ca.uhn.fhir.rest.server.method.ResourceParameter;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

class ExceptionSanitizerTest {

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();
	private final Logger logger = (Logger) LoggerFactory.getLogger(ExceptionSanitizer.class);

	@BeforeEach
	void capture() {
		log.start();
		logger.addAppender(log);
	}

	@AfterEach
	void release() {
		logger.detachAppender(log);
	}

	@Test
	void anUnexpectedFailureIsLoggedByClassWithoutThePayloadsValues() {
		SQLException database = new SQLException("ERROR: duplicate key value\n  Detail: Key (system, code)=(https://x, 9434765919) already exists.",
				"23505");
		RuntimeException failure = new RuntimeException("Failed to call access method",
				new DataIntegrityViolationException("could not store family 'Featherstonehaugh'", database));

		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);

		assertThat(answer.getStatusCode()).isEqualTo(500);
		assertThat(((OperationOutcome) answer.getOperationOutcome()).getIssueFirstRep().getDiagnostics()).contains("request id")
				.doesNotContain("Featherstonehaugh");
		assertThat(log.list).hasSize(1);
		ILoggingEvent event = log.list.get(0);
		assertThat(event.getFormattedMessage()).contains("SQLException");
		StringBuilder logged = new StringBuilder(event.getFormattedMessage());
		for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
			logged.append('\n').append(t.getMessage()).append(' ').append(t.getStackTraceElementProxyArray().length);
		}
		assertThat(logged.toString()).doesNotContain("9434765919").doesNotContain("Featherstonehaugh")
				.contains("org.springframework.dao.DataIntegrityViolationException").contains("java.sql.SQLException");
	}

	@Test
	void javaNamesInALibrarysMessageNeverReachTheCaller() {
		BaseServerResponseException refused = new InvalidRequestException("HAPI-1861: Could not resolve type id 'x' as a subtype of"
				+ " `com.github.fge.jsonpatch.operation.JsonPatchOperation` (through reference chain: java.util.ArrayList[0])");
		String diagnostics = ((OperationOutcome) new ExceptionSanitizer().sanitize(null, refused).getOperationOutcome()).getIssueFirstRep()
				.getDiagnostics();
		assertThat(diagnostics).doesNotContain("HAPI-").doesNotContain("com.github").doesNotContain("java.util")
				.contains("JsonPatchOperation").contains("ArrayList[0]");

		assertThat(ExceptionSanitizer.plain("The patch could not be applied: org.hl7.fhir.r4.fhirpath.FHIRLexer$FHIRLexerException: Error @1, 9"))
				.isEqualTo("The patch could not be applied: Error @1, 9");
		String profile = "Profile https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient at Patient.identifier.system (fhir.nhs.uk)";
		assertThat(ExceptionSanitizer.plain(profile)).isEqualTo(profile);
	}

	@Test
	void aLibrarysBareExceptionNameNeverReachesTheCaller() {
		assertThat(ExceptionSanitizer.plain("The body could not be read as FHIR: DataFormatException at [[row,col]: [62,9]]: bad"))
				.isEqualTo("The body could not be read as FHIR: [[row,col]: [62,9]]: bad");
	}

	@Test
	void aDiagnosticQuotingAHugeValueIsCutAndCleanedInMilliseconds() {
		long started = System.nanoTime();
		String plain = ExceptionSanitizer.plain("Invalid value " + "x".repeat(300_000) + " a.b.c.D");
		assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_000);
		assertThat(plain.length()).isLessThan(4_100);
	}

	@Test
	void anOperationParameterThatIsNotANumberIs400() {
		IllegalArgumentException failure = new IllegalArgumentException(new NumberFormatException("For input string: \"1e999999\""));
		failure.setStackTrace(new StackTraceElement[] {
			new StackTraceElement(OperationParameter.class.getName(), "translateQueryParametersIntoServerArgumentForGet", null, 392)});
		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);
		assertThat(answer.getStatusCode()).isEqualTo(400);
		assertThat(((OperationOutcome) answer.getOperationOutcome()).getIssueFirstRep().getDiagnostics()).contains("whole number");
		assertThat(log.list).isEmpty();
	}

	@Test
	void aParserThatFailsOnABodyIs400() {
		// Found by FuzzIT: HAPI's JSON parser throws NullPointerException for an extension that is true instead of an object.
		NullPointerException failure = new NullPointerException("Cannot invoke getAsString()");
		failure.setStackTrace(new StackTraceElement[] {new StackTraceElement("ca.uhn.fhir.parser.JsonParser", "parseExtension", null, 1501),
			new StackTraceElement(ResourceParameter.class.getName(), "loadResourceFromRequest", null, 209)});
		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);
		assertThat(answer.getStatusCode()).isEqualTo(400);
		assertThat(log.list).isEmpty();
	}

	@Test
	void aStatementCancelledByTheRequestBudgetIs503() {
		RuntimeException failure = new RuntimeException("Failed to call access method",
				new SQLException("ERROR: canceling statement due to statement timeout", "57014"));
		BaseServerResponseException answer = new ExceptionSanitizer().sanitize(null, failure);
		assertThat(answer.getStatusCode()).isEqualTo(503);
		assertThat(((OperationOutcome) answer.getOperationOutcome()).getIssueFirstRep().getCode().toCode()).isEqualTo("timeout");
	}
}
