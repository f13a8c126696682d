package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.history.Cursors;
import io.paystream.queries.history.JournalHistory;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jdbi.v3.core.JdbiException;

/**
 * {@code GET /v1/accounts/{accountId}/entries?limit=&after=}: the account's ledger history from PostgreSQL, oldest
 * first, with cursor pagination. Needs accounts:read and ownership. Without a database the answer is 503.
 */
@Path("/v1/accounts/{accountId}/entries")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountEntriesResource {
    /** A page size that keeps every answer small; clients page for more. */
    static final int LIMIT_MAX = 500;
    private static final int LIMIT_DEFAULT = 100;
    /** The history is a replica of the journal; after a database hiccup, asking again soon is right. */
    private static final long RETRY_AFTER_SECONDS = 5;

    private final JournalHistory history;

    /** @param history the database, or null when this processor has none configured */
    AccountEntriesResource(JournalHistory history) {
        this.history = history;
    }

    /** One page of history. */
    public record Page(List<JournalHistory.Entry> entries, String next) {
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Page get(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @QueryParam("limit") String limitParam, @QueryParam("after") String after) {
        if (!client.mayRead(accountId)) {
            throw ApiException.notOwned(accountId, "accountId");
        }
        int limit = Pages.limit(limitParam, LIMIT_DEFAULT, LIMIT_MAX);
        long afterSeq = Pages.after(after, 0);
        if (history == null) {
            throw ApiException.unavailable("history_unavailable", "account history needs a database, and this "
                    + "processor has none configured (set database: in its config)", RETRY_AFTER_SECONDS);
        }
        List<JournalHistory.Entry> entries;
        try {
            entries = history.page(accountId, afterSeq, limit + 1);
        } catch (JdbiException e) {
            throw ApiException.unavailable("history_unavailable", "the history database cannot be read right now",
                    RETRY_AFTER_SECONDS);
        }
        boolean more = entries.size() > limit;
        List<JournalHistory.Entry> page = more ? entries.subList(0, limit) : entries;
        return new Page(List.copyOf(page), more ? Cursors.after(page.get(page.size() - 1).entrySeq()) : null);
    }
}
