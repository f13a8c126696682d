package io.paystream.ingress;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** A small HTTP client for the ingress under test: real requests over loopback, bounded by a timeout. */
final class IngressHttp {
    /** Far above any answer the ingress may give, so a hang fails the test instead of stalling it. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    IngressHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A POST builder with a JSON body and, when given, a bearer key. */
    Request post(String path, String body) {
        return new Request("POST", path, body);
    }

    /** A PUT builder with a JSON body. */
    Request put(String path, String body) {
        return new Request("PUT", path, body);
    }

    Request delete(String path) {
        return new Request("DELETE", path, null);
    }

    Request get(String path) {
        return new Request("GET", path, null);
    }

    /** One request being built. */
    final class Request {
        private final HttpRequest.Builder builder;

        Request(String method, String path, String body) {
            builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                builder.header("Content-Type", "application/json");
            }
        }

        Request key(String apiKey) {
            builder.header("Authorization", "Bearer " + Objects.requireNonNull(apiKey));
            return this;
        }

        Request basic(String user, String password) {
            builder.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return this;
        }

        Request idempotencyKey(String key) {
            builder.header("Idempotency-Key", key);
            return this;
        }

        Request header(String name, String value) {
            builder.header(name, value);
            return this;
        }

        Request contentType(String type) {
            builder.setHeader("Content-Type", type);
            return this;
        }

        HttpResponse<String> send() throws Exception {
            return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
