package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.web.auth.ApiClient;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code GET /v1/me}: who the key belongs to, what it may do and which accounts it owns, so that a client (the
 * console) can check a key and show only what it may use. Any valid key; a wrong one is 401.
 */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public final class MeResource {
    /** The caller: {@code admin} is true for an admin key, which owns every account. */
    public record Me(String clientId, List<String> scopes, List<String> ownedAccountPrefixes, boolean admin) {
    }

    @GET
    @PermitAll
    public Me get(@Auth ApiClient client) {
        return new Me(client.clientId(), List.copyOf(new TreeSet<>(client.scopes())), client.ownedAccountPrefixes(),
                client.isAdmin());
    }
}
