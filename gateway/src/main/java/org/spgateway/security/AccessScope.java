package org.spgateway.security;

import java.util.List;

/**
 * What the caller of a request may see. Every read, search, include, count and history query of the
 * store asks it for an extra SQL predicate over the resource table (alias {@code r}); this is where
 * per-organisation filtering plugs in once authentication lands. Today there is one scope: everything.
 */
public interface AccessScope {

	/** A SQL condition over the {@code resource} table aliased {@code r}, or null for no restriction. */
	SqlPredicate predicate();

	record SqlPredicate(String sql, List<Object> args) {}

	AccessScope UNRESTRICTED = () -> null;
}
