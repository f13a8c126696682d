package io.paystream.queries.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import io.dropwizard.jackson.Jackson;
import io.paystream.queries.api.AccountView;
import io.paystream.queries.history.Cursors;
import io.paystream.queries.routing.Forwarder;
import io.paystream.queries.routing.Scatter;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.validation.Money;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /v1/accounts?prefix=&status=&limit=&after=}: the caller's accounts in account-id order, a page at a time.
 * Served by range queries on the ledger's {@code accounts} store, across every partition and instance
 * ({@link Scatter}): the listing is the ledger's own view, as fresh as a balance lookup, and needs no database.
 * Each partition returns at most one page from the cursor on; the merge keeps the first page of their union.
 *
 * <p>A client lists only accounts under its owned prefixes, narrowed by {@code prefix}; admin lists every account.
 * Needs accounts:read.
 */
@Path("/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountListResource {
    static final int LIMIT_DEFAULT = 50;
    static final int LIMIT_MAX = 200;
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9._:-]{0,64}$");
    private static final Set<String> STATUSES = Set.of("ACTIVE", "FROZEN", "CLOSED", "CLOSING");
    /** Sorts after every character an account id may hold. */
    private static final char RANGE_END = '\u007f';
    private static final TypeReference<Map<Integer, List<AccountView>>> PEER_ANSWER = new TypeReference<>() {
    };
    private static final long RETRY_AFTER_SECONDS = 1;

    /** One page: {@code next} is the cursor of the following page, or null on the last. */
    public record Page(List<AccountView> accounts, String next) {
    }

    private final Supplier<KafkaStreams> streams;
    private final Scatter scatter;
    private final String store;
    private final ObjectMapper json = Jackson.newObjectMapper();

    AccountListResource(Supplier<KafkaStreams> streams, Scatter scatter, String store) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.scatter = Objects.requireNonNull(scatter, "scatter");
        this.store = Objects.requireNonNull(store, "store");
    }

    @GET
    @RolesAllowed(Scopes.ACCOUNTS_READ)
    public Response list(@Auth ApiClient client, @QueryParam("prefix") String prefixParam,
            @QueryParam("status") String status, @QueryParam("limit") String limitParam,
            @QueryParam("after") String after, @Context HttpHeaders headers, @Context UriInfo uri) {
        String prefix = prefixParam == null ? "" : prefixParam;
        if (!PREFIX.matcher(prefix).matches()) {
            throw ApiException.invalidField("prefix", "prefix must be at most 64 of A-Z a-z 0-9 . _ : -");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalidField("status", "status must be one of ACTIVE, FROZEN, CLOSING or CLOSED");
        }
        int limit = Pages.limit(limitParam, LIMIT_DEFAULT, LIMIT_MAX);
        String afterId = after == null ? null : Cursors.parseAccount(after).filter(id ->
                Money.ACCOUNT_ID.matcher(id).matches()).orElseThrow(() ->
                ApiException.invalidField("after", "after must be a cursor from a previous page's next"));
        List<String> ranges = ranges(client, prefix);
        if (scatter.forwardedByPeer(headers.getHeaderString(Forwarder.FORWARDED_HEADER))) {
            return Response.ok(scatter.local(store, Topics.LEDGER.name(),
                    partition -> read(partition, ranges, status, afterId, limit))).build();
        }
        if (ranges.isEmpty()) {
            return Response.ok(new Page(List.of(), null)).build();
        }
        String pathAndQuery = uri.getRequestUri().getRawPath()
                + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
        Scatter.Gathered<List<AccountView>> gathered = scatter.gather(store, Topics.LEDGER.name(),
                partition -> read(partition, ranges, status, afterId, limit), pathAndQuery,
                headers.getHeaderString(HttpHeaders.AUTHORIZATION), this::parsePeer);
        if (!(gathered instanceof Scatter.Gathered.Whole<List<AccountView>> whole)) {
            throw ApiException.unavailable("not_available", "the accounts cannot be read from every partition right "
                    + "now (a rebalance, or an instance that does not answer); retry", RETRY_AFTER_SECONDS);
        }
        List<AccountView> all = new ArrayList<>();
        whole.parts().values().forEach(all::addAll);
        all.sort(Comparator.comparing(AccountView::accountId));
        boolean more = all.size() > limit;
        List<AccountView> page = more ? List.copyOf(all.subList(0, limit)) : all;
        return Response.ok(new Page(page, more ? Cursors.afterAccount(page.get(page.size() - 1).accountId()) : null))
                .build();
    }

    /**
     * The key prefixes to scan: {@code prefix} within each owned prefix, or each owned prefix within {@code prefix}.
     * Owned prefixes do not overlap between clients, and those of one client are merged when one holds another.
     */
    static List<String> ranges(ApiClient client, String prefix) {
        if (client.isAdmin()) {
            return List.of(prefix);
        }
        TreeSet<String> ranges = new TreeSet<>();
        for (String owned : client.ownedAccountPrefixes()) {
            if (prefix.startsWith(owned)) {
                ranges.add(prefix);
            } else if (owned.startsWith(prefix)) {
                ranges.add(owned);
            }
        }
        List<String> disjoint = new ArrayList<>();
        for (String range : ranges) {
            if (disjoint.isEmpty() || !range.startsWith(disjoint.get(disjoint.size() - 1))) {
                disjoint.add(range);
            }
        }
        return disjoint;
    }

    private Map<Integer, List<AccountView>> parsePeer(String body) {
        try {
            return json.readValue(body, PEER_ANSWER);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a peer answered an account listing that cannot be read", e);
        }
    }

    /** Up to {@code limit + 1} accounts of one partition after {@code afterId}, in order. */
    private List<AccountView> read(int partition, List<String> ranges, String status, String afterId, int limit) {
        ReadOnlyKeyValueStore<String, AccountState> accounts = streams.get().store(StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, AccountState>keyValueStore())
                .withPartition(partition));
        List<AccountView> found = new ArrayList<>();
        for (String range : ranges) {
            String from = afterId != null && afterId.compareTo(range) >= 0 ? afterId + '\u0000' : range;
            String to = range + RANGE_END;
            if (from.compareTo(to) > 0) {
                continue;
            }
            try (KeyValueIterator<String, AccountState> it = accounts.range(from, to)) {
                while (it.hasNext() && found.size() <= limit) {
                    KeyValue<String, AccountState> next = it.next();
                    AccountView view = AccountView.of(next.value, false);
                    if (next.key.startsWith(range) && (status == null || status.equals(view.status()))) {
                        found.add(view);
                    }
                }
            }
        }
        return found;
    }
}
