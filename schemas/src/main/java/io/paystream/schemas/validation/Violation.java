package io.paystream.schemas.validation;

import java.util.Objects;

/**
 * Why a request is invalid: the offending field (as named in the HTTP API and the Avro schema) and a message for humans.
 *
 * @param field the field name, for example {@code amount}
 * @param message what is wrong with it, for example {@code must be between 1 and 1000000000000000}
 */
public record Violation(String field, String message) {
    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + " " + message;
    }
}
