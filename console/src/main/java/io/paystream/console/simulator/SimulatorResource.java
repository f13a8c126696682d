package io.paystream.console.simulator;

import io.dropwizard.auth.Auth;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /v1/simulator} {@code {"ratePerSecond", "durationSeconds", "accounts"}} starts the traffic simulator
 * (202 with its status; 409 while a run is going), {@code GET} shows the current or last run (state IDLE before the
 * first), {@code DELETE} stops it.
 * Admin only. It posts with the caller's own key, to the ingress this processor's console is configured with, and only
 * when that ingress is on a loopback address: a simulator pointed at a shared ingress would be a load generator
 * anyone with an admin key could aim.
 */
@Path("/v1/simulator")
@Produces(MediaType.APPLICATION_JSON)
public final class SimulatorResource {
    private final TrafficSimulator simulator;
    private final String disabledBecause;

    /**
     * @param simulator the simulator, or null when it is disabled
     * @param disabledBecause why it is disabled, said in the 409 answers
     */
    public SimulatorResource(TrafficSimulator simulator, String disabledBecause) {
        this.simulator = simulator;
        this.disabledBecause = disabledBecause;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Scopes.ADMIN)
    public Response start(@Auth ApiClient client, SimulatorSettings settings, @Context HttpHeaders headers) {
        SimulatorSettings checked = (settings == null ? new SimulatorSettings(null, null, null) : settings).checked();
        TrafficSimulator.Status started = enabled().start(checked,
                headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (started == null) {
            throw ApiException.of(409, ApiError.INVALID_REQUEST, "simulator_running",
                    "a simulation is running; stop it (DELETE /v1/simulator) or wait for it to end", null);
        }
        return Response.status(202).entity(started).build();
    }

    @GET
    @RolesAllowed(Scopes.ADMIN)
    public TrafficSimulator.Status status(@Auth ApiClient client) {
        TrafficSimulator.Status status = enabled().status();
        return status != null ? status : TrafficSimulator.Status.IDLE;
    }

    @DELETE
    @RolesAllowed(Scopes.ADMIN)
    public TrafficSimulator.Status stop(@Auth ApiClient client) {
        return found(enabled().stop());
    }

    private TrafficSimulator enabled() {
        if (simulator == null) {
            throw ApiException.of(409, ApiError.INVALID_REQUEST, "simulator_disabled", disabledBecause, null);
        }
        return simulator;
    }

    private static TrafficSimulator.Status found(TrafficSimulator.Status status) {
        if (status == null) {
            throw ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", "no simulation has run yet", null);
        }
        return status;
    }
}
