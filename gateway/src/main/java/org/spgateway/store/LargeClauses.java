package org.spgateway.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clauses recently counted as having more rows than a walk's bound, so that the next page of the same search is not counted
 * again: a provider polling its queue asks the same question every few seconds, and the count was a tenth of the page's
 * PostgreSQL time. Only "more than the bound" is remembered, never a small count, so a stale answer costs time and never a wrong
 * page: a head walk that no longer fills its page falls back to the planner's statement, and a default-order walk that did not
 * fill its page is taken as the whole answer only after a fresh count.
 */
final class LargeClauses {

	/** How long a count is taken as still true. */
	private static final long FRESH_MILLIS = 30_000;
	/** Forgets everything rather than grow without limit (distinct clauses are few: one per caller and queue). */
	private static final int MAX = 10_000;

	private final Map<List<Object>, Long> countedAt = new ConcurrentHashMap<>();

	/** Whether the clause was counted as more than its bound within the last {@link #FRESH_MILLIS}. */
	boolean known(String count, List<Object> args) {
		Long at = countedAt.get(key(count, args));
		return at != null && System.currentTimeMillis() - at < FRESH_MILLIS;
	}

	void counted(String count, List<Object> args) {
		if (countedAt.size() >= MAX) {
			countedAt.clear();
		}
		countedAt.put(key(count, args), System.currentTimeMillis());
	}

	private static List<Object> key(String count, List<Object> args) {
		Object[] key = new Object[args.size() + 1];
		key[0] = count;
		for (int i = 0; i < args.size(); i++) {
			// An array argument (several values, several param names) compares by its elements.
			key[i + 1] = args.get(i) instanceof Object[] values ? List.of(values) : args.get(i);
		}
		return List.of(key);
	}
}
