package io.paystream.web.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Objects;

/**
 * Thrown by resources and filters to answer with an {@link ApiError}. Extra headers (such as {@code Retry-After})
 * travel with it. {@link ErrorMappers} turns it into the response and counts it.
 */
public final class ApiException extends WebApplicationException {
    private static final long serialVersionUID = 1L;

    private final transient ApiError error;

    private ApiException(Response response, ApiError error) {
        super(error.message(), response);
        this.error = Objects.requireNonNull(error, "error");
    }

    /** An error answer with the given status. */
    public static ApiException of(int status, String type, String code, String message, String param) {
        return with(Response.status(status), new ApiError(type, code, message, param));
    }

    /**
     * An error answer built on {@code response}, to which headers were already added. The response carries no entity:
     * Jersey skips exception mappers for responses that have one, and {@link ErrorMappers} must see every error to
     * write the body and count it.
     */
    public static ApiException with(Response.ResponseBuilder response, ApiError error) {
        return new ApiException(response.build(), error);
    }

    /** 422: the request is well-formed JSON but a field is invalid. */
    public static ApiException invalidField(String param, String message) {
        return of(422, ApiError.INVALID_REQUEST, "invalid_field", message, param);
    }

    /** 403: the API key does not own the account named by {@code param}. */
    public static ApiException notOwned(String accountId, String param) {
        return of(403, ApiError.PERMISSION, "account_not_owned", "this API key does not own account " + accountId,
                param);
    }

    /** 403: the key lacks {@code scope}, which the value of {@code param} needs; {@code why} says what it guards. */
    public static ApiException scopeRequired(String scope, String param, String why) {
        return of(403, ApiError.PERMISSION, "scope_required", why + ": this API key needs the " + scope + " scope",
                param);
    }

    /** 503 with Retry-After: a dependency is unavailable and the request was not accepted. */
    public static ApiException unavailable(String code, String message, long retryAfterSeconds) {
        return with(Response.status(503).header("Retry-After", retryAfterSeconds),
                new ApiError(ApiError.API, code, message, null));
    }

    public ApiError error() {
        return error;
    }
}
