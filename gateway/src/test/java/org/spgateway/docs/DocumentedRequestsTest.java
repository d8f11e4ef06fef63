package org.spgateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentedRequestsTest {

	@TempDir
	Path root;

	@Test
	void aCurlCommandIsReadAsTheShellWouldAndItsAnswerIsTheBlockAfterIt() throws IOException {
		Files.writeString(root.resolve("body.json"), "{\"resourceType\":\"Patient\"}");
		write("""
				```sh
				curl -i -X POST http://localhost:8080/fhir/\\$process-message \\
				  -H 'Content-Type: application/fhir+json' -H "NHSD-Target-Identifier: $TARGET" --data-binary @body.json
				```

				```
				HTTP/1.1 201
				Location: http://localhost:8080/fhir/Patient/1/_history/1
				```
				```json
				{"resourceType": "Patient"}
				```
				""");
		List<DocumentedRequest> requests = new DocumentedRequests(root).in("doc.md");
		assertThat(requests).hasSize(1);
		DocumentedRequest r = requests.get(0);
		assertThat(r.method()).isEqualTo("POST");
		assertThat(r.path()).isEqualTo("/fhir/$process-message");
		assertThat(r.headers()).containsEntry("Content-Type", "application/fhir+json").containsEntry("NHSD-Target-Identifier", "$TARGET");
		assertThat(r.body()).isEqualTo("{\"resourceType\":\"Patient\"}");
		assertThat(r.answer().status()).isEqualTo(201);
		assertThat(r.answer().body()).contains("\"Patient\"");
		assertThat(r.skip()).isNull();
	}

	@Test
	void aRequestBlockCarriesHeadersABodyAndMaybeItsAnswerInline() throws IOException {
		write("""
				```http
				POST /fhir/QuestionnaireResponse
				Content-Type: application/fhir+json

				{"resourceType": "QuestionnaireResponse"}

				201 Created
				ETag: W/"1"
				```
				""");
		DocumentedRequest r = new DocumentedRequests(root).in("doc.md").get(0);
		assertThat(r.body()).isEqualTo("{\"resourceType\": \"QuestionnaireResponse\"}");
		assertThat(r.answer().status()).isEqualTo(201);
		assertThat(r.answer().headers()).containsEntry("ETag", "W/\"1\"");
	}

	@Test
	void markedPlaceholderAndAbridgedRequestsAreSkippedWithTheirReason() throws IOException {
		write("""
				<!-- docs-test: skip, needs a receiver -->
				```http
				POST /fhir/Subscription

				{"resourceType": "Subscription"}
				```

				```
				PATCH [base]/Task/[id]
				```

				```http
				POST /fhir/Patient

				{ …the same Patient… }
				```

				```http
				GET /fhir/Patient?name=smi          # a comment
				GET /fhir/Patient?birthdate=ge1970
				```

				Some prose, so the block after it is not an answer.

				```json
				{"resourceType": "Patient"}
				```
				""");
		List<DocumentedRequest> requests = new DocumentedRequests(root).in("doc.md");
		assertThat(requests).extracting(DocumentedRequest::skip).containsExactly("needs a receiver", "a placeholder in the path",
				"an abridged body", null, null);
		assertThat(requests.get(3).path()).isEqualTo("/fhir/Patient?name=smi");
		assertThat(requests.get(4).answer()).isNull();
	}

	@Test
	void shellVariablesBuiltWithBase64AreEncodedAsTheShellWould() throws IOException {
		write("""
				```
				TARGET=$(b64 '{"value":"9000002"}')
				```
				""");
		assertThat(new DocumentedRequests(root).variables("doc.md")).containsEntry("TARGET", "eyJ2YWx1ZSI6IjkwMDAwMDIifQ==");
	}

	private void write(String markdown) throws IOException {
		Files.writeString(root.resolve("doc.md"), markdown);
	}
}
