package io.paystream.web.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * The body of every error answer, {@code {"error":{"type","code","message","param"}}}: a stable machine-readable
 * {@code type} and {@code code}, a human message, and the offending field or header when there is one. Never a stack
 * trace.
 *
 * @param type the family: invalid_request_error, authentication_error, permission_error, rate_limit_error, api_error
 * @param code the precise cause, for example {@code unknown_field}
 * @param message what went wrong, for humans
 * @param param the offending field or header, or null
 */
public record ApiError(String type, String code, String message,
        @JsonInclude(JsonInclude.Include.ALWAYS) String param) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String PERMISSION = "permission_error";
    public static final String RATE_LIMIT = "rate_limit_error";
    public static final String API = "api_error";

    public ApiError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** The JSON envelope: {@code {"error": ...}}. */
    public record Body(ApiError error) {
    }
}
