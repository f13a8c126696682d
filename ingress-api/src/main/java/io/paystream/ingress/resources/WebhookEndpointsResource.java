package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.CreateWebhookEndpointRequest;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.ingress.lookup.PaymentLookup;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.webhooks.UrlPolicy;
import io.paystream.webhooks.WebhookEvents;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Webhook endpoints: register, list, read, delete, rotate the secret, re-enable, and the deliveries made to one.
 * Registrations are records on the compacted {@code webhooks.endpoints.v1}: the ingress answers once Kafka
 * acknowledged the write, and the webhook sink reads the same topic. An endpoint belongs to the client that created
 * it; another client's endpoint is answered 404, as if it did not exist.
 */
@Path("/v1/webhook-endpoints")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookEndpointsResource {
    /** Enough for every environment a client runs; a bound keeps one client from fanning every event out forever. */
    /** Registrations being written, by client: they take a place under the cap before Kafka acknowledges them. */
    private final Map<String, Set<String>> pending = new java.util.HashMap<>();
    static final int MAX_DESCRIPTION_LENGTH = 256;
    /** How long a rotated-out secret keeps signing, beside the new one, so receivers can switch without a gap. */
    static final Duration PREVIOUS_SECRET_VALIDITY = Duration.ofHours(24);
    private static final Pattern ID = Pattern.compile("we_[0-9a-f]{24}");
    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cc}\\p{Cf}]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;
    private final EndpointRegistry registry;
    private final UrlPolicy urls;
    private final PaymentLookup queryApi;
    private final Clock clock;

    public WebhookEndpointsResource(CommandPublisher publisher, Duration produceTimeout, EndpointRegistry registry,
            UrlPolicy urls, PaymentLookup queryApi, Clock clock) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.acknowledgements = new Acknowledgements(produceTimeout);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.urls = Objects.requireNonNull(urls, "urls");
        this.queryApi = Objects.requireNonNull(queryApi, "queryApi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @POST
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Register a webhook endpoint", description = "Answers 201 with the endpoint and its signing "
            + "secret, which is shown only here. The endpoint receives the events of accounts the key owns.")
    public void create(@Auth ApiClient client, @NotNull CreateWebhookEndpointRequest body,
            @Suspended AsyncResponse async) {
        String url = body.url();
        urls.refusal(url).ifPresent(reason -> {
            throw ApiException.invalidField("url", "url " + reason);
        });
        List<String> events = events(body.events());
        String description = body.description();
        if (description != null && (description.length() > MAX_DESCRIPTION_LENGTH
                || !PRINTABLE.matcher(description).matches())) {
            throw ApiException.invalidField("description", "description must be at most " + MAX_DESCRIPTION_LENGTH
                    + " printable characters");
        }
        String endpointId = "we_" + HexFormat.of().formatHex(randomBytes(12));
        reserve(client.clientId(), endpointId);
        long now = clock.millis();
        WebhookEndpoint endpoint = WebhookEndpoint.newBuilder()
                .setEndpointId(endpointId)
                .setClientId(client.clientId())
                .setAdmin(client.isAdmin())
                .setOwnedAccountPrefixes(client.ownedAccountPrefixes())
                .setUrl(url)
                .setEvents(events)
                .setDescription(description)
                .setSecret(newSecret())
                .setStatus(WebhookEndpointStatus.ENABLED)
                .setCreatedAtMs(now)
                .setUpdatedAtMs(now)
                .build();
        Map<String, Object> view = view(endpoint);
        view.put("secret", endpoint.getSecret());
        var unused = write(endpoint.getEndpointId(), endpoint, async, Response.status(201).entity(view).build())
                .whenComplete((written, failure) -> release(client.clientId(), endpointId));
    }

    /**
     * Takes one of the client's endpoint places for {@code endpointId}, or refuses with 422 when it has them all: the
     * registry's endpoints and the registrations still being written count alike, each once (a registration just
     * acknowledged is in both until it is released), under one lock, so parallel registrations cannot pass the cap
     * together. (Across ingress instances the webhook sink enforces it: EndpointRegistry.withinCap.)
     */
    private void reserve(String clientId, String endpointId) {
        synchronized (pending) {
            Set<String> owned = new HashSet<>(pending.getOrDefault(clientId, Set.of()));
            registry.all().stream().filter(e -> e.getClientId().equals(clientId))
                    .forEach(e -> owned.add(e.getEndpointId()));
            if (owned.size() >= EndpointRegistry.ENDPOINTS_PER_CLIENT_MAX) {
                throw ApiException.of(422, ApiError.INVALID_REQUEST, "too_many_endpoints", "this client already has "
                        + owned.size() + " webhook endpoints, the most allowed; delete one first", null);
            }
            pending.computeIfAbsent(clientId, id -> new HashSet<>()).add(endpointId);
        }
    }

    /** Gives the place back once the registration is in the registry, or was never written. */
    private void release(String clientId, String endpointId) {
        synchronized (pending) {
            Set<String> ids = pending.get(clientId);
            if (ids != null && ids.remove(endpointId) && ids.isEmpty()) {
                pending.remove(clientId);
            }
        }
    }

    @GET
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "List the key's webhook endpoints", description = "Secrets are never listed.")
    public Map<String, Object> list(@Auth ApiClient client) {
        List<Map<String, Object>> data = registry.all().stream()
                .filter(endpoint -> visible(client, endpoint))
                .sorted(Comparator.comparingLong(WebhookEndpoint::getCreatedAtMs)
                        .thenComparing(WebhookEndpoint::getEndpointId))
                .map(WebhookEndpointsResource::view).toList();
        return Map.of("data", data);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Read a webhook endpoint")
    public Map<String, Object> get(@Auth ApiClient client, @PathParam("id") String id) {
        return view(owned(client, id));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Delete a webhook endpoint", description = "Deliveries not yet made to it are cancelled.")
    public void delete(@Auth ApiClient client, @PathParam("id") String id, @Suspended AsyncResponse async) {
        WebhookEndpoint endpoint = owned(client, id);
        var unused = write(endpoint.getEndpointId(), null, async,
                Response.ok(Map.of("id", endpoint.getEndpointId(), "deleted", true)).build());
    }

    @POST
    @Path("/{id}/rotate-secret")
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Rotate an endpoint's signing secret", description = "Answers the new secret, shown only "
            + "here. For 24 hours every request carries a second v1 signature made with the old secret.")
    public void rotateSecret(@Auth ApiClient client, @PathParam("id") String id, @Suspended AsyncResponse async) {
        WebhookEndpoint endpoint = owned(client, id);
        long now = clock.millis();
        long expires = now + PREVIOUS_SECRET_VALIDITY.toMillis();
        WebhookEndpoint rotated = WebhookEndpoint.newBuilder(endpoint).setSecret(newSecret())
                .setPreviousSecret(endpoint.getSecret()).setPreviousSecretExpiresAtMs(expires)
                .setUpdatedAtMs(EndpointRegistry.nextVersionAt(endpoint, now)).build();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", rotated.getEndpointId());
        answer.put("secret", rotated.getSecret());
        answer.put("previousSecretExpiresAt", Instant.ofEpochMilli(expires).toString());
        var unused2 = write(rotated.getEndpointId(), rotated, async, Response.ok(answer).build());
    }

    @POST
    @Path("/{id}/enable")
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Re-enable a disabled endpoint", description = "An endpoint is disabled when an event "
            + "exhausted its retries; the events dead-lettered meanwhile stay in webhooks.dlq.v1.")
    public void enable(@Auth ApiClient client, @PathParam("id") String id, @Suspended AsyncResponse async) {
        WebhookEndpoint endpoint = owned(client, id);
        WebhookEndpoint enabled = WebhookEndpoint.newBuilder(endpoint).setStatus(WebhookEndpointStatus.ENABLED)
                .setDisabledReason(null).setUpdatedAtMs(EndpointRegistry.nextVersionAt(endpoint, clock.millis()))
                .build();
        var unused3 = write(enabled.getEndpointId(), enabled, async, Response.ok(view(enabled)).build());
    }

    @GET
    @Path("/{id}/deliveries")
    @RolesAllowed(Scopes.WEBHOOKS_WRITE)
    @Operation(summary = "Deliveries to an endpoint, newest first", description = "Each event sent to the endpoint "
            + "with its state (PENDING, DELIVERED, DEAD, CANCELLED) and every attempt's outcome. Paginated with "
            + "limit and the previous page's next cursor as after.")
    public Response deliveries(@Auth ApiClient client, @PathParam("id") String id,
            @QueryParam("limit") String limit, @QueryParam("after") String after) {
        WebhookEndpoint endpoint = owned(client, id);
        StringBuilder path = new StringBuilder("/v1/webhook-endpoints/").append(endpoint.getEndpointId())
                .append("/deliveries?");
        if (limit != null) {
            path.append("limit=").append(URLEncoder.encode(limit, StandardCharsets.UTF_8)).append('&');
        }
        if (after != null) {
            path.append("after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
        }
        HttpResponse<String> answer = queryApi.get(path.toString(), ApiException.unavailable(
                "deliveries_unavailable", "the deliveries cannot be read now; retry", 1));
        if (answer.statusCode() >= 500) {
            throw ApiException.unavailable("deliveries_unavailable", "the deliveries cannot be read now; retry", 1);
        }
        // The query API validated limit and after; its answer, errors included, is the answer.
        return Response.status(answer.statusCode()).type(MediaType.APPLICATION_JSON_TYPE).entity(answer.body())
                .build();
    }

    /** Writes a registration and answers once Kafka acknowledged it; completes after the registry shows it. */
    private java.util.concurrent.CompletableFuture<?> write(String id, WebhookEndpoint endpoint, AsyncResponse async,
            Response response) {
        var acknowledged = publisher.publish(Topics.WEBHOOK_ENDPOINTS, id, endpoint)
                .thenApply(metadata -> {
                    registry.applyWritten(id, endpoint);
                    return metadata;
                });
        acknowledgements.answer(async, acknowledged, metadata -> response);
        return acknowledged.toCompletableFuture();
    }

    private WebhookEndpoint owned(ApiClient client, String id) {
        Optional<WebhookEndpoint> endpoint = id != null && ID.matcher(id).matches() ? registry.get(id)
                : Optional.empty();
        return endpoint.filter(e -> visible(client, e)).orElseThrow(() -> ApiException.of(404,
                ApiError.INVALID_REQUEST, "endpoint_not_found", "no webhook endpoint " + id, "id"));
    }

    private static boolean visible(ApiClient client, WebhookEndpoint endpoint) {
        return client.isAdmin() || endpoint.getClientId().equals(client.clientId());
    }

    private static List<String> events(List<String> requested) {
        if (requested == null || requested.equals(List.of("*"))) {
            return List.of(); // every type
        }
        LinkedHashSet<String> events = new LinkedHashSet<>();
        for (String event : requested) {
            if (event == null || !WebhookEvents.TYPES.contains(event)) {
                throw ApiException.invalidField("events", "unknown event type " + event + "; known: "
                        + WebhookEvents.TYPES.stream().sorted().toList());
            }
            events.add(event);
        }
        return new ArrayList<>(events);
    }

    static Map<String, Object> view(WebhookEndpoint endpoint) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", endpoint.getEndpointId());
        view.put("url", endpoint.getUrl());
        view.put("events", endpoint.getEvents().isEmpty() ? List.of("*") : endpoint.getEvents());
        view.put("description", endpoint.getDescription());
        view.put("status", endpoint.getStatus().name());
        view.put("disabledReason", endpoint.getDisabledReason());
        view.put("createdAt", Instant.ofEpochMilli(endpoint.getCreatedAtMs()).toString());
        view.put("updatedAt", Instant.ofEpochMilli(endpoint.getUpdatedAtMs()).toString());
        return view;
    }

    private static String newSecret() {
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
