package io.paystream.queries.resources;

import io.paystream.queries.history.Cursors;
import io.paystream.queries.history.WebhookDeliveryLog;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.regex.Pattern;
import org.jdbi.v3.core.JdbiException;

/**
 * {@code GET /v1/webhook-endpoints/{id}/deliveries?limit=&after=}: the deliveries made to an endpoint, newest first,
 * from the webhook sink's tables. Admin only: tenants ask the ingress, which checks that the endpoint is theirs and
 * asks here with its own key.
 */
@Path("/v1/webhook-endpoints/{endpointId}/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookDeliveriesResource {
    static final int LIMIT_MAX = 100;
    private static final int LIMIT_DEFAULT = 20;
    private static final long RETRY_AFTER_SECONDS = 5;
    private static final Pattern ENDPOINT_ID = Pattern.compile("we_[0-9a-f]{24}");

    private final WebhookDeliveryLog log;

    /** @param log the database, or null when this processor has none configured */
    WebhookDeliveriesResource(WebhookDeliveryLog log) {
        this.log = log;
    }

    /** One page of deliveries. */
    public record Page(List<WebhookDeliveryLog.Delivery> deliveries, String next) {
    }

    @GET
    @RolesAllowed({Scopes.ADMIN, Scopes.SERVICE_READ})
    public Page get(@PathParam("endpointId") String endpointId, @QueryParam("limit") String limitParam,
            @QueryParam("after") String after) {
        if (!ENDPOINT_ID.matcher(endpointId).matches()) {
            throw notFound(endpointId);
        }
        int limit = Pages.limit(limitParam, LIMIT_DEFAULT, LIMIT_MAX);
        long before = Pages.after(after, Long.MAX_VALUE);
        if (log == null) {
            throw ApiException.unavailable("deliveries_unavailable", "webhook deliveries need a database, and this "
                    + "processor has none configured (set database: in its config)", RETRY_AFTER_SECONDS);
        }
        List<WebhookDeliveryLog.Delivery> deliveries;
        try {
            // The ingress knows which endpoints exist; one with no deliveries yet has an empty page here.
            deliveries = log.page(endpointId, before, limit + 1);
        } catch (JdbiException e) {
            throw ApiException.unavailable("deliveries_unavailable", "the deliveries cannot be read right now",
                    RETRY_AFTER_SECONDS);
        }
        boolean more = deliveries.size() > limit;
        List<WebhookDeliveryLog.Delivery> page = more ? deliveries.subList(0, limit) : deliveries;
        return new Page(List.copyOf(page), more ? Cursors.after(page.get(page.size() - 1).deliveryId()) : null);
    }

    private static ApiException notFound(String endpointId) {
        return ApiException.of(404, ApiError.INVALID_REQUEST, "endpoint_not_found", "no webhook endpoint "
                + endpointId, "id");
    }
}
