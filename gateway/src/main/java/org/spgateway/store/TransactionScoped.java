package org.spgateway.store;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A value that lives as long as the current Spring transaction: created on first use, told before the transaction
 * commits and after it ends, and dropped then. Several capabilities keep per-transaction state this way (the held
 * writes, feedback and partner notifications composed just before the commit, the audit receipt); each used to bind
 * its own resource and register its own synchronization, and none but the held writes stepped aside while a nested
 * {@code REQUIRES_NEW} transaction ran, so that transaction's changes would have joined the outer one's list. Here the
 * value is unbound while such a transaction runs (which gets a value of its own) and bound again when the outer one
 * resumes.
 *
 * <p>The value is bound under this holder, so each holder (one per listener) has its own value per transaction. The
 * synchronization is registered when the value is created, so before-commit work runs in the order the holders were
 * first used in the transaction.
 */
public final class TransactionScoped<T> {

	/** What to do when the transaction has ended. */
	@FunctionalInterface
	public interface Completion<T> {
		void completed(T value, boolean committed);
	}

	private final Consumer<T> beforeCommit;
	private final Completion<T> afterCompletion;

	/**
	 * @param beforeCommit run just before the transaction commits (not on rollback), or null
	 * @param afterCompletion run once the transaction has committed or rolled back, after the value is unbound, or null
	 */
	public TransactionScoped(Consumer<T> beforeCommit, Completion<T> afterCompletion) {
		this.beforeCommit = beforeCommit;
		this.afterCompletion = afterCompletion;
	}

	/** Whether there is a transaction (with synchronization) for a value to belong to. */
	public static boolean active() {
		return TransactionSynchronizationManager.isSynchronizationActive();
	}

	/** The current transaction's value, created with {@code create} on first use; null outside a transaction. */
	public T get(Supplier<T> create) {
		if (!active()) {
			return null;
		}
		T value = peek();
		if (value == null) {
			value = create.get();
			TransactionSynchronizationManager.bindResource(this, value);
			TransactionSynchronizationManager.registerSynchronization(new Binding(value));
		}
		return value;
	}

	/** The current transaction's value if it has one, without creating it. */
	@SuppressWarnings("unchecked")
	public T peek() {
		return (T) TransactionSynchronizationManager.getResource(this);
	}

	private final class Binding implements TransactionSynchronization {

		private final T value;

		Binding(T value) {
			this.value = value;
		}

		@Override
		public void suspend() {
			TransactionSynchronizationManager.unbindResourceIfPossible(TransactionScoped.this);
		}

		@Override
		public void resume() {
			TransactionSynchronizationManager.bindResource(TransactionScoped.this, value);
		}

		@Override
		public void beforeCommit(boolean readOnly) {
			if (beforeCommit != null) {
				beforeCommit.accept(value);
			}
		}

		@Override
		public void afterCompletion(int status) {
			TransactionSynchronizationManager.unbindResourceIfPossible(TransactionScoped.this);
			if (afterCompletion != null) {
				afterCompletion.completed(value, status == STATUS_COMMITTED);
			}
		}
	}
}
