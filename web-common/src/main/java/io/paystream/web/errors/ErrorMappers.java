package io.paystream.web.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every exception that reaches Jersey becomes an {@link ApiError} answer, including the ones Jersey and Dropwizard
 * raise themselves (404, 405, 415, malformed JSON, Bean Validation), and each is counted in
 * {@code paystream_http_errors_total{status,code}}. {@link #register} also turns Dropwizard's own default mappers off,
 * because they would answer some errors first in another shape.
 */
public final class ErrorMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMappers.class);

    private final MeterRegistry registry;

    private ErrorMappers(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Registers the mappers with Jersey, in place of Dropwizard's defaults. Call it from the application's run(). */
    public static void register(Configuration configuration, Environment environment, MeterRegistry registry) {
        if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
            server.setRegisterDefaultExceptionMappers(false);
        }
        JerseyEnvironment jersey = environment.jersey();
        ErrorMappers mappers = new ErrorMappers(registry);
        jersey.register(mappers.new WebApplicationMapper());
        jersey.register(mappers.new JsonMapper());
        jersey.register(mappers.new ValidationMapper());
        jersey.register(mappers.new UnexpectedMapper());
    }

    private Response answer(int status, ApiError error) {
        return counted(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError.Body(error)).build(), error);
    }

    private Response counted(Response response, ApiError error) {
        Counter.builder("paystream.http.errors")
                .description("Error answers by HTTP status and error code (4xx: the caller's; 5xx: ours)")
                .tag("status", String.valueOf(response.getStatus())).tag("code", error.code())
                .register(registry).increment();
        return response;
    }

    /** ApiExceptions as built; Jersey's own HTTP errors with a code named after their status. */
    final class WebApplicationMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException exception) {
            if (exception instanceof ApiException api) {
                return counted(Response.fromResponse(api.getResponse()).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new ApiError.Body(api.error())).build(), api.error());
            }
            int status = exception.getResponse().getStatus();
            if (status >= 500) {
                LOG.error("request failed", exception);
                return answer(status, new ApiError(ApiError.API, "internal_error", "internal server error", null));
            }
            ApiError error = new ApiError(status == 401 ? ApiError.AUTHENTICATION
                    : status == 403 ? ApiError.PERMISSION : ApiError.INVALID_REQUEST, codeFor(status),
                    messageFor(status, exception), status == 401 ? "Authorization" : null);
            Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError.Body(error));
            // Keep the headers that tell a client how to recover: how to authenticate, which methods exist.
            for (String header : new String[] {"WWW-Authenticate", "Allow", "Retry-After"}) {
                Object value = exception.getResponse().getHeaders().getFirst(header);
                if (value != null) {
                    response.header(header, value);
                }
            }
            return counted(response.build(), error);
        }

        private String codeFor(int status) {
            return switch (status) {
                case 400 -> "bad_request";
                case 401 -> "unauthenticated";
                case 403 -> "forbidden";
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 406 -> "not_acceptable";
                case 413 -> "payload_too_large";
                case 415 -> "unsupported_media_type";
                default -> "http_" + status;
            };
        }

        private String messageFor(int status, WebApplicationException exception) {
            return switch (status) {
                case 404 -> "no such resource";
                case 405 -> "method not allowed on this resource";
                case 415 -> "the body must be application/json";
                case 401 -> "a valid API key is required: Authorization: Bearer <key>";
                case 403 -> "this API key may not do that";
                default -> exception.getResponse().getStatusInfo().getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    /** Malformed JSON is 400; JSON of the wrong shape (unknown field, wrong type) is 422 naming the field. */
    final class JsonMapper implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException exception) {
            if (exception instanceof UnrecognizedPropertyException unknown) {
                return answer(422, new ApiError(ApiError.INVALID_REQUEST, "unknown_field",
                        "unknown field '" + unknown.getPropertyName() + "'", path(unknown)));
            }
            if (exception instanceof MismatchedInputException mismatched && !mismatched.getPath().isEmpty()) {
                return answer(422, new ApiError(ApiError.INVALID_REQUEST, "invalid_type",
                        "'" + path(mismatched) + "' has the wrong type", path(mismatched)));
            }
            if (exception instanceof JsonParseException || exception instanceof MismatchedInputException) {
                return answer(400, new ApiError(ApiError.INVALID_REQUEST, "malformed_json",
                        "the body is not a valid JSON object", null));
            }
            return answer(422, new ApiError(ApiError.INVALID_REQUEST, "invalid_json", "the body cannot be read",
                    exception instanceof JsonMappingException mapping ? path(mapping) : null));
        }

        private String path(JsonMappingException exception) {
            return exception.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName()
                            : String.valueOf(reference.getIndex()))
                    .collect(Collectors.joining("."));
        }
    }

    /** Bean Validation failures are 422, naming the first offending field (by name, so the answer is stable). */
    final class ValidationMapper implements ExceptionMapper<ConstraintViolationException> {
        @Override
        public Response toResponse(ConstraintViolationException exception) {
            ConstraintViolation<?> first = exception.getConstraintViolations().stream()
                    .min(Comparator.comparing(v -> field(v.getPropertyPath())))
                    .orElse(null);
            if (first == null) {
                return answer(422, new ApiError(ApiError.INVALID_REQUEST, "invalid_field", "invalid request", null));
            }
            String field = field(first.getPropertyPath());
            String code = first.getInvalidValue() == null ? "missing_field" : "invalid_field";
            return answer(422, new ApiError(ApiError.INVALID_REQUEST, code, field + " " + first.getMessage(), field));
        }

        /**
         * The JSON field a path like {@code create.arg0.amount} names, dotted when it is nested
         * ({@code create.arg0.source.type} is {@code source.type}); {@code body} for the body itself.
         */
        private String field(Path path) {
            StringBuilder name = new StringBuilder();
            for (Path.Node node : path) {
                if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                    name.append(name.isEmpty() ? "" : ".").append(node.getName());
                } else if (node.getKind() == jakarta.validation.ElementKind.PARAMETER) {
                    name.setLength(0);
                }
            }
            return name.isEmpty() ? "body" : name.toString();
        }
    }

    /** Anything else is a bug: logged with its stack trace, answered 500 without one. */
    final class UnexpectedMapper implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable exception) {
            LOG.error("unexpected error while serving a request", exception);
            return answer(500, new ApiError(ApiError.API, "internal_error", "internal server error", null));
        }
    }
}
