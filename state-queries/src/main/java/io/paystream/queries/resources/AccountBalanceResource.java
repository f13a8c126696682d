package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.api.BalanceView;
import io.paystream.queries.history.BalanceHistory;
import io.paystream.schemas.avro.AccountState;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;

/**
 * {@code GET /v1/accounts/{accountId}/balance?at=<ISO instant>} or {@code ?entrySeq=N}: the account's balance as it
 * was then (without either: now). Needs accounts:read and ownership, like any account read.
 *
 * <p>The request is routed to the instance that owns the account, which reads the live state from its store and the
 * past from {@code balance_history}. The copy trails the ledger by the sink's lag, so the answer comes from the live
 * state when it has not changed since the instant asked, from the copy when the copy is known complete up to that
 * instant (it holds the live state's {@code stateSeq}, or a later change), and otherwise is a 503 to retry: never from a
 * copy that may be missing a change.
 */
@Path("/v1/accounts/{accountId}/balance")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountBalanceResource {
    /** The sink copies within seconds; asking again after one is reasonable. */
    private static final long RETRY_AFTER_SECONDS = 1;

    private final QueryAnswers answers;
    private final String store;
    private final BalanceHistory history;
    private final Clock clock;

    /** @param history the database, or null when this processor has none configured */
    AccountBalanceResource(QueryAnswers answers, String store, BalanceHistory history, Clock clock) {
        this.answers = Objects.requireNonNull(answers, "answers");
        this.store = Objects.requireNonNull(store, "store");
        this.history = history;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response get(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @QueryParam("at") String atParam, @QueryParam("entrySeq") String entrySeqParam,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        if (!client.mayRead(accountId)) {
            throw ApiException.notOwned(accountId, "accountId");
        }
        if (atParam != null && entrySeqParam != null) {
            throw ApiException.of(400, ApiError.INVALID_REQUEST, "invalid_parameter",
                    "give at or entrySeq, not both", "entrySeq");
        }
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant at = atParam == null ? null : instant(atParam, now);
        Long entrySeq = entrySeqParam == null ? null : entrySeq(entrySeqParam);
        return answers.<AccountState>answer(store, accountId, "account", false, headers, uri, account -> true,
                local -> {
                    AccountState live = local.value();
                    if (entrySeq != null) {
                        return afterEntry(live, entrySeq);
                    }
                    return at == null ? view(live, now, live.getUpdatedAtMs(), "ledger") : atInstant(live, at);
                });
    }

    private static Instant instant(String value, Instant now) {
        Instant at;
        try {
            at = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.of(400, ApiError.INVALID_REQUEST, "invalid_parameter",
                    "at must be an ISO-8601 instant in UTC, such as 2026-12-06T21:30:00Z", "at");
        }
        if (at.isAfter(now)) {
            throw ApiException.of(400, ApiError.INVALID_REQUEST, "invalid_parameter",
                    "at " + value + " is in the future (now is " + now + ")", "at");
        }
        return at;
    }

    private static long entrySeq(String value) {
        try {
            long entrySeq = Long.parseLong(value);
            if (entrySeq >= 0) {
                return entrySeq;
            }
        } catch (NumberFormatException e) {
            // Falls through to the 400 below, which names the parameter and what it takes.
        }
        throw ApiException.of(400, ApiError.INVALID_REQUEST, "invalid_parameter",
                "entrySeq must be an entry sequence: an integer from 0 (when the account opened)", "entrySeq");
    }

    private BalanceView atInstant(AccountState live, Instant at) {
        if (at.toEpochMilli() < live.getOpenedAtMs()) {
            throw ApiException.of(422, ApiError.INVALID_REQUEST, "before_account_opened", "account "
                    + live.getAccountId() + " did not exist at " + at + ": it opened at "
                    + Instant.ofEpochMilli(live.getOpenedAtMs()), "at");
        }
        if (live.getUpdatedAtMs() <= at.toEpochMilli()) {
            return view(live, at, live.getUpdatedAtMs(), "ledger");
        }
        BalanceHistory history = history();
        try {
            Optional<BalanceHistory.State> state = history.at(live.getAccountId(), at);
            if (state.isPresent() && (state.get().stateSeq() == live.getStateSeq()
                    || history.changedAfter(live.getAccountId(), at))) {
                return view(live, at, state.get());
            }
        } catch (JdbiException e) {
            throw unreadable();
        }
        throw catchingUp();
    }

    private BalanceView afterEntry(AccountState live, long entrySeq) {
        if (entrySeq > live.getEntrySeq()) {
            throw ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", "account " + live.getAccountId()
                    + " has no entry " + entrySeq + ": its last is " + live.getEntrySeq(), "entrySeq");
        }
        try {
            Optional<BalanceHistory.State> state = history().afterEntry(live.getAccountId(), entrySeq);
            if (state.isPresent()) {
                return view(live, state.get().changedAt(), state.get());
            }
        } catch (JdbiException e) {
            throw unreadable();
        }
        throw catchingUp();
    }

    private BalanceHistory history() {
        if (history == null) {
            throw ApiException.unavailable("history_unavailable", "past balances need a database, and this "
                    + "processor has none configured (set database: in its config)", RETRY_AFTER_SECONDS);
        }
        return history;
    }

    private static ApiException unreadable() {
        return ApiException.unavailable("history_unavailable", "the history database cannot be read right now",
                RETRY_AFTER_SECONDS);
    }

    private static ApiException catchingUp() {
        return ApiException.unavailable("history_catching_up", "the journal's copy has not caught up with this "
                + "account's changes yet; retry in a moment", RETRY_AFTER_SECONDS);
    }

    private static BalanceView view(AccountState live, Instant at, long sinceMs, String source) {
        return new BalanceView(live.getAccountId(), live.getCurrency(), at.toString(), live.getEntrySeq(),
                live.getStateSeq(), live.getBalance(), live.getHeld(),
                live.getBalance() - live.getHeld() + live.getOverdraftLimit(),
                live.getClosing() != null ? "CLOSING" : live.getStatus().name(),
                Instant.ofEpochMilli(sinceMs).toString(), source);
    }

    private static BalanceView view(AccountState live, Instant at, BalanceHistory.State state) {
        return new BalanceView(live.getAccountId(), live.getCurrency(), at.toString(), state.entrySeq(),
                state.stateSeq(), state.balance(), state.held(),
                state.balance() - state.held() + state.overdraftLimit(), state.status(),
                state.changedAt().toString(), "history");
    }
}
