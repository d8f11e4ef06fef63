package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;
import org.spgateway.database.DatabaseFaults.Fault;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

class DatabaseFaultsTest {

	@Test
	void aRefusedConnectionIsTheDatabaseBeingUnreachable() {
		SQLException refused = new SQLException("Connection to localhost:5432 refused", "08001", new ConnectException("Connection refused"));
		SQLTransientConnectionException pool = new SQLTransientConnectionException("gateway - Connection is not available", "08001", refused);
		assertThat(DatabaseFaults.of(new CannotCreateTransactionException("Could not open JDBC Connection", pool))).contains(Fault.UNREACHABLE);
	}

	@Test
	void aPoolTimeoutWithTheServerUpIsBusy() {
		SQLTransientConnectionException pool = new SQLTransientConnectionException("gateway - Connection is not available, request timed out");
		assertThat(DatabaseFaults.of(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", pool))).contains(Fault.BUSY);
	}

	@Test
	void anAdministratorsShutdownOrAServerStartingUpIsUnreachable() {
		assertThat(DatabaseFaults.of(new SQLException("terminating connection due to administrator command", "57P01"))).contains(Fault.UNREACHABLE);
		assertThat(DatabaseFaults.of(new SQLException("the database system is starting up", "57P03"))).contains(Fault.UNREACHABLE);
	}

	@Test
	void aCancelledStatementIsNotADatabaseFault() {
		assertThat(DatabaseFaults.of(new SQLException("canceling statement due to statement timeout", "57014"))).isEmpty();
	}

	@Test
	void aFullDiskIsStorageFullAndOtherResourceShortagesAreBusy() {
		assertThat(DatabaseFaults.of(new RuntimeException(new SQLException("could not extend file", "53100")))).contains(Fault.STORAGE_FULL);
		assertThat(DatabaseFaults.of(new SQLException("sorry, too many clients already", "53300"))).contains(Fault.BUSY);
	}

	@Test
	void aConstraintViolationIsNotADatabaseFault() {
		assertThat(DatabaseFaults.of(new DataIntegrityViolationException("duplicate", new SQLException("duplicate key", "23505")))).isEmpty();
		assertThat(DatabaseFaults.of(new TransactionSystemException("JDBC commit failed", new SQLException("deferred", "23505")))).isEmpty();
	}

	@Test
	void aRollbackOnAConnectionThePoolClosedIsTheDatabaseBeingUnreachable() {
		TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
		assertThat(DatabaseFaults.of(rollback)).contains(Fault.UNREACHABLE);
		TransactionSystemException afterFullDisk = new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
		afterFullDisk.initApplicationException(new RuntimeException(new SQLException("could not extend file", "53100")));
		assertThat(DatabaseFaults.of(afterFullDisk)).contains(Fault.STORAGE_FULL);
	}

	@Test
	void aConnectionLostDuringTheCommitLeavesTheOutcomeUnknownAndSaysSo() {
		assertThat(DatabaseFaults.of(new TransactionSystemException("JDBC commit failed", new SQLException("Connection is closed"))))
				.contains(Fault.COMMIT_UNKNOWN);
		assertThat(DatabaseFaults.of(new TransactionSystemException("JDBC commit failed", new SQLException("An I/O error occurred", "08006"))))
				.contains(Fault.COMMIT_UNKNOWN);
		// Boot's JdbcTransactionManager translates the driver's exception instead.
		assertThat(DatabaseFaults.of(new DataAccessResourceFailureException("JDBC commit; An I/O error occurred while sending to the backend",
				new SQLException("An I/O error occurred while sending to the backend", "08006")))).contains(Fault.COMMIT_UNKNOWN);
		assertThat(DatabaseFaults.of(new DataAccessResourceFailureException("PreparedStatementCallback; An I/O error",
				new SQLException("An I/O error occurred while sending to the backend", "08006")))).contains(Fault.UNREACHABLE);
		assertThat(Fault.COMMIT_UNKNOWN.text()).contains("cannot tell whether it was stored").doesNotContain("Nothing was stored");
	}

	@Test
	void theAnswerIs503WithRetryAfterAndPlainWords() {
		BaseServerResponseException answer = DatabaseFaults.answer(Fault.STORAGE_FULL);
		assertThat(answer.getStatusCode()).isEqualTo(503);
		assertThat(answer.getResponseHeaders().get("Retry-After")).containsExactly("60");
		OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(IssueType.NOSTORE);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("run out of storage space").contains("Nothing was stored")
				.doesNotContain("SQL").doesNotContain("53100");
	}
}
