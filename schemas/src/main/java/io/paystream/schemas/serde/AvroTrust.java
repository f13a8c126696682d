package io.paystream.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Tells Avro 1.12 to trust the generated PayStream classes. Avro refuses to instantiate classes it does not trust when
 * decoding; without this, every decode of a specific record fails with a SecurityException.
 */
final class AvroTrust {
    /** Only the classes avro-maven-plugin generates from our own schemas; nothing a writer could name. */
    private static final String GENERATED_PACKAGE_PREFIX = "io.paystream.schemas.avro.";

    private static final ClassSecurityPredicate GENERATED_CLASSES =
            type -> type.getName().startsWith(GENERATED_PACKAGE_PREFIX);

    private AvroTrust() {
    }

    /** Adds the generated package to Avro's global validator, keeping whatever was trusted before. Idempotent. */
    static synchronized void install() {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current.isTrusted(io.paystream.schemas.avro.PaymentRequest.class)) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, GENERATED_CLASSES));
    }
}
