package io.paystream.queries.resources;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.paystream.queries.routing.Forwarder;
import io.paystream.queries.routing.KeyRouter;
import io.paystream.queries.routing.Lookup;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a routed lookup into an HTTP answer, and measures it: {@code paystream_query_latency_seconds} and
 * {@code paystream_query_requests_total}, both by store and route (local, stale, forwarded, unavailable).
 */
final class QueryAnswers {
    /** A rebalance settles in seconds; asking again after one is reasonable. */
    private static final long RETRY_AFTER_SECONDS = 1;
    private static final Logger LOG = LoggerFactory.getLogger(QueryAnswers.class);

    private final KeyRouter router;
    private final MeterRegistry registry;
    /** The two meters of each store and route, registered once: building them took a registry lookup per query. */
    private final java.util.concurrent.ConcurrentMap<String, Meters> meters =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A lookup's count and latency, for one store and route. */
    private record Meters(Counter requests, Timer latency) {
        void record(Timer.Sample sample) {
            requests.increment();
            sample.stop(latency);
        }
    }

    QueryAnswers(KeyRouter router, MeterRegistry registry) {
        this.router = Objects.requireNonNull(router, "router");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    private Meters meters(String store, String route) {
        return meters.computeIfAbsent(store + '/' + route, key -> new Meters(
                Counter.builder("paystream.query.requests")
                        .description("Query API lookups by store and how they were answered (local, stale, "
                                + "forwarded, unavailable)")
                        .tag("store", store).tag("route", route).register(registry),
                Timer.builder("paystream.query.latency")
                        .description("Query API lookup time, forwarding included")
                        .tag("store", store).tag("route", route)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                        .register(registry)));
    }

    /**
     * Looks the key up and answers: 200 with the view, 404 when the key is unknown or {@code visible} refuses it,
     * the owner's answer when it was forwarded, or 503 with Retry-After.
     */
    <V> Response answer(String store, String key, String noun, boolean stale, HttpHeaders headers, UriInfo uri,
            Predicate<V> visible, Function<Lookup.Local<V>, Object> view) {
        return answer(store, key, noun, "no " + noun + " " + key, stale, headers, uri, visible, view);
    }

    /** {@link #answer(String, String, String, boolean, HttpHeaders, UriInfo, Predicate, Function)}, saying 404 as {@code missing}. */
    <V> Response answer(String store, String key, String noun, String missing, boolean stale, HttpHeaders headers,
            UriInfo uri, Predicate<V> visible, Function<Lookup.Local<V>, Object> view) {
        Timer.Sample sample = Timer.start(registry);
        String route = "unavailable";
        try {
            String pathAndQuery = uri.getRequestUri().getRawPath()
                    + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
            Lookup<V> lookup = router.lookup(store, key, stale,
                    router.forwardedByPeer(headers.getHeaderString(Forwarder.FORWARDED_HEADER)), pathAndQuery,
                    headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            if (lookup instanceof Lookup.Local<V> local) {
                route = local.stale() ? "stale" : "local";
                if (local.value() == null || !visible.test(local.value())) {
                    throw ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", missing, null);
                }
                return Response.ok(view.apply(local), MediaType.APPLICATION_JSON_TYPE).build();
            }
            if (lookup instanceof Lookup.Relayed<V> relayed) {
                route = "forwarded";
                Response.ResponseBuilder response = Response.status(relayed.status())
                        .type(MediaType.APPLICATION_JSON_TYPE).entity(relayed.body());
                return relayed.retryAfter() == null ? response.build()
                        : response.header("Retry-After", relayed.retryAfter()).build();
            }
            // Why stays in the log: it names instances' addresses and Kafka Streams' exception text.
            LOG.debug("answering 503 for {} {}: {}", noun, key, ((Lookup.Unavailable<V>) lookup).why());
            throw ApiException.unavailable("not_available", "the owner of this " + noun + " cannot answer right "
                    + "now; retry, or pass stale=true to accept a standby read", RETRY_AFTER_SECONDS);
        } finally {
            meters(store, route).record(sample);
        }
    }
}
