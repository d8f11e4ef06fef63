package org.spgateway.server;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;

/**
 * One page, fetched for exactly its offset and size, handed to HAPI so that HAPI builds {@code next}/{@code previous}
 * links from the original query plus {@code _offset}/{@code _count}: no paging state lives in the server, so links work
 * after a restart and on any instance. Subclasses give the page's entries.
 */
public abstract class OffsetPage implements IBundleProvider {

	private final int offset;
	private final int pageSize;
	private final boolean hasMore;
	private final Integer total;
	private final Date published = new Date();

	protected OffsetPage(int offset, int pageSize, boolean hasMore, Integer total) {
		this.offset = offset;
		this.pageSize = pageSize;
		this.hasMore = hasMore;
		this.total = total;
	}

	/** Whether more matches follow this page (the query fetched one more than the page). */
	protected boolean hasMore() {
		return hasMore;
	}

	@Override
	public IPrimitiveType<Date> getPublished() {
		return new InstantType(published);
	}

	@Override
	public List<IBaseResource> getResources(int theFromIndex, int theToIndex) {
		return getResources(theFromIndex, theToIndex, new ResponsePage.ResponsePageBuilder());
	}

	@Override
	public String getUuid() {
		return null;
	}

	@Override
	public Integer getCurrentPageOffset() {
		return offset;
	}

	@Override
	public Integer getCurrentPageSize() {
		return pageSize;
	}

	@Override
	public String getNextPageId() {
		return hasMore ? "next" : null;
	}

	@Override
	public String getPreviousPageId() {
		return offset > 0 ? "previous" : null;
	}

	@Override
	public Integer preferredPageSize() {
		return pageSize;
	}

	@Override
	public Integer size() {
		return total;
	}
}
