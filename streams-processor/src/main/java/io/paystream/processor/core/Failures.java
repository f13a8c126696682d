package io.paystream.processor.core;

/** Describes failures for events and journal entries; the full stack trace goes into dead-letter headers instead. */
public final class Failures {
    /** Enough of the exception message to diagnose it without bloating every event. */
    private static final int DETAIL_LENGTH_MAX = 200;

    private Failures() {
    }

    /** A short, single-line description of {@code failure}. */
    public static String describe(RuntimeException failure) {
        String text = "internal error: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        return text.length() <= DETAIL_LENGTH_MAX ? text : text.substring(0, DETAIL_LENGTH_MAX);
    }

    /** {@code text} for a log line or an error header: at most 64 characters, the rest counted, never null. */
    public static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 64 ? text : text.substring(0, 64) + "... (" + text.length() + " characters)";
    }
}
