package org.spgateway.bulkimport;

import java.util.Arrays;

/**
 * What every input of a job holds, read before the first line is stored: each line's {@code Type/id}, and the referrals
 * a Task in the job is for. A reference to a resource of a file stored later resolves when the job holds it; a
 * referral with its Task in the job is stored as it is rather than routed to a new Task. Kept as sorted 64-bit hashes
 * (8 bytes a resource, 12 MB for a 250,000-referral caseload): two different references sharing a hash is a chance of
 * about one in 10^8 even for a million lines, and its only effect would be a dangling reference not being refused.
 */
final class JobIds {

	private long[] ids = new long[1024];
	private int idCount;
	private long[] focused = new long[256];
	private int focusedCount;
	private boolean sealed;

	void addId(String type, String id) {
		ids = add(ids, idCount++, hash(type + "/" + id));
	}

	void addFocus(String referralId) {
		focused = add(focused, focusedCount++, hash("ServiceRequest/" + referralId));
	}

	/** Done adding: sorts for lookups. */
	JobIds seal() {
		ids = Arrays.copyOf(ids, idCount);
		focused = Arrays.copyOf(focused, focusedCount);
		Arrays.sort(ids);
		Arrays.sort(focused);
		sealed = true;
		return this;
	}

	boolean holds(String type, String id) {
		check();
		return Arrays.binarySearch(ids, hash(type + "/" + id)) >= 0;
	}

	/** Whether a Task in the job has this referral as its focus. */
	boolean hasTaskFor(String referralId) {
		check();
		return Arrays.binarySearch(focused, hash("ServiceRequest/" + referralId)) >= 0;
	}

	int size() {
		return idCount;
	}

	private void check() {
		if (!sealed) {
			throw new IllegalStateException("JobIds read before it was sealed");
		}
	}

	private static long[] add(long[] into, int at, long value) {
		long[] array = at < into.length ? into : Arrays.copyOf(into, into.length * 2);
		array[at] = value;
		return array;
	}

	/** FNV-1a, 64 bits, over the UTF-16 code units. */
	static long hash(String s) {
		long h = 0xcbf29ce484222325L;
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			h ^= c & 0xff;
			h *= 0x100000001b3L;
			h ^= c >>> 8;
			h *= 0x100000001b3L;
		}
		return h;
	}
}
