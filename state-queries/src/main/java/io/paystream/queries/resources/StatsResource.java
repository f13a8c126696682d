package io.paystream.queries.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import io.dropwizard.jackson.Jackson;
import io.paystream.queries.routing.Forwarder;
import io.paystream.queries.routing.Scatter;
import io.paystream.queries.stats.StatsMerge;
import io.paystream.queries.stats.StatsParts;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.StatsBucket;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * {@code GET /v1/stats?window=1m|1h|24h}: payment statistics per currency, added up from the stats stores of every
 * partition on every instance (see {@code PaymentStats} in the processor). A client sees the payments that touch its
 * own accounts; admin sees every payment. Needs accounts:read.
 *
 * <p>The instance asked fixes "now" and forwards {@code at=now} to the others, so that every partition is read over
 * the same buckets.
 */
@Path("/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
public final class StatsResource {
    private static final TypeReference<Map<Integer, StatsParts>> PEER_ANSWER = new TypeReference<>() {
    };
    private static final long RETRY_AFTER_SECONDS = 1;

    private final Supplier<KafkaStreams> streams;
    private final Scatter scatter;
    private final Clock clock;
    private final ObjectMapper json = Jackson.newObjectMapper();

    StatsResource(Supplier<KafkaStreams> streams, Scatter scatter, Clock clock) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.scatter = Objects.requireNonNull(scatter, "scatter");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @GET
    @RolesAllowed(Scopes.ACCOUNTS_READ)
    public Response get(@Auth ApiClient client, @QueryParam("window") String windowLabel, @QueryParam("at") Long at,
            @Context HttpHeaders headers) {
        StatsWindow window = StatsWindow.parse(windowLabel == null ? "1h" : windowLabel).orElseThrow(() ->
                ApiException.invalidField("window", "window must be one of 1m, 1h or 24h"));
        String scope = client.isAdmin() ? StatsKeys.ALL : client.clientId();
        if (scatter.forwardedByPeer(headers.getHeaderString(Forwarder.FORWARDED_HEADER))) {
            long nowMs = at != null ? at : clock.millis();
            return Response.ok(scatter.local(window.store(), Topics.PAYMENT_EVENTS.name(),
                    partition -> read(window, scope, nowMs, partition))).build();
        }
        long nowMs = clock.millis();
        String peerQuery = "/v1/stats?window=" + URLEncoder.encode(window.label(), StandardCharsets.UTF_8)
                + "&at=" + nowMs;
        Scatter.Gathered<StatsParts> gathered = scatter.gather(window.store(), Topics.PAYMENT_EVENTS.name(),
                partition -> read(window, scope, nowMs, partition), peerQuery,
                headers.getHeaderString(HttpHeaders.AUTHORIZATION), this::parsePeer);
        if (gathered instanceof Scatter.Gathered.Whole<StatsParts> whole) {
            return Response.ok(StatsMerge.merge(window, nowMs, whole.parts().values())).build();
        }
        throw ApiException.unavailable("not_available", "the stats cannot be read from every partition right now "
                + "(a rebalance, or an instance that does not answer); retry", RETRY_AFTER_SECONDS);
    }

    private Map<Integer, StatsParts> parsePeer(String body) {
        try {
            return json.readValue(body, PEER_ANSWER);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a peer answered stats that cannot be read", e);
        }
    }

    /** One partition's buckets of {@code scope} in the window ending at {@code nowMs}, and its in-flight counts. */
    private StatsParts read(StatsWindow window, String scope, long nowMs, int partition) {
        KafkaStreams running = streams.get();
        ReadOnlyWindowStore<String, StatsBucket> buckets = running.store(StoreQueryParameters
                .fromNameAndType(window.store(), QueryableStoreTypes.<String, StatsBucket>windowStore())
                .withPartition(partition));
        List<StatsParts.Bucket> found = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, StatsBucket> it = buckets.fetch(StatsKeys.rangeStart(scope),
                StatsKeys.rangeEnd(scope), Instant.ofEpochMilli(window.firstBucketStart(nowMs)),
                Instant.ofEpochMilli(nowMs))) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, StatsBucket> next = it.next();
                String key = next.key.key();
                if (StatsKeys.scopeOf(key).equals(scope)) {
                    found.add(new StatsParts.Bucket(StatsKeys.currencyOf(key), next.key.window().start(),
                            next.value.getCounts(), next.value.getVolume(), next.value.getLatencyBuckets()));
                }
            }
        }
        ReadOnlyKeyValueStore<String, Long> inFlight = running.store(StoreQueryParameters
                .fromNameAndType(StatsKeys.IN_FLIGHT_STORE, QueryableStoreTypes.<String, Long>keyValueStore())
                .withPartition(partition));
        Map<String, Long> inFlightByCurrency = new TreeMap<>();
        try (KeyValueIterator<String, Long> it = inFlight.range(StatsKeys.rangeStart(scope),
                StatsKeys.rangeEnd(scope))) {
            while (it.hasNext()) {
                KeyValue<String, Long> next = it.next();
                if (StatsKeys.scopeOf(next.key).equals(scope) && next.value != 0) {
                    inFlightByCurrency.put(StatsKeys.currencyOf(next.key), next.value);
                }
            }
        }
        return new StatsParts(found, inFlightByCurrency);
    }
}
