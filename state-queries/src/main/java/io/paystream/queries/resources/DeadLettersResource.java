package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.deadletters.DeadLetterReader;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.common.KafkaException;

/**
 * {@code GET /v1/dead-letters?topic=&limit=}: the newest records of a dead-letter topic, newest first, with their
 * error headers. Admin only: a dead letter may hold any client's request.
 */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public final class DeadLettersResource {
    static final int LIMIT_DEFAULT = 50;
    static final int LIMIT_MAX = 200;

    /** The answer: the topic read and its newest records. */
    public record Page(String topic, List<DeadLetterReader.DeadLetter> records) {
    }

    private final DeadLetterReader reader;

    DeadLettersResource(DeadLetterReader reader) {
        this.reader = reader;
    }

    @GET
    @RolesAllowed(Scopes.ADMIN)
    public Page list(@Auth ApiClient client, @QueryParam("topic") String topicParam,
            @QueryParam("limit") String limitParam) {
        String topic = topicParam == null ? "payments.dlq.v1" : topicParam;
        if (!DeadLetterReader.TOPICS.contains(topic)) {
            throw ApiException.invalidField("topic", "topic must be one of "
                    + String.join(", ", new TreeSet<>(DeadLetterReader.TOPICS)));
        }
        int limit = Pages.limit(limitParam, LIMIT_DEFAULT, LIMIT_MAX);
        if (reader == null) {
            throw ApiException.unavailable("not_configured", "this instance reads no dead letters", 60);
        }
        try {
            return new Page(topic, Objects.requireNonNull(reader.newest(topic, limit)));
        } catch (KafkaException e) {
            throw ApiException.unavailable("not_available", "the dead letters cannot be read right now; retry", 5);
        }
    }
}
