package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import java.util.Objects;

/**
 * What intake decided for one request.
 *
 * @param kind which branch of the intake rules applied
 * @param fingerprintToStore the fingerprint to remember for this payment id, or null to leave the store alone
 * @param emissions the records to forward
 */
public record IntakeOutcome(Kind kind, String fingerprintToStore, Emissions emissions) {
    /** The branches of payment intake. */
    public enum Kind {
        /** First sighting of a valid request: ACCEPTED plus the first leg. */
        ACCEPTED,
        /** First sighting of an invalid request: REJECTED(INVALID_REQUEST). */
        INVALID,
        /** First sighting of a direct producer's request for an account or type it may not use: NOT_PERMITTED. */
        NOT_PERMITTED,
        /** The same id and the same contents as before: dropped. */
        DUPLICATE,
        /** The same id with other contents: journalled, and the first payment is left alone. */
        CONFLICT,
        /** Deciding threw: REJECTED(INTERNAL_ERROR). */
        FAILED
    }

    public IntakeOutcome {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(emissions, "emissions");
    }
}
