package io.paystream.processor.errors;

/**
 * A failure that must never be skipped: a processor could not read its state, or failed after it began writing it
 * (stores, then forwards). Skipping the record would commit half a decision, say a debited balance without its credit
 * leg. {@link CountingProcessingExceptionHandler} fails the task instead, so exactly-once aborts the open transaction
 * (store writes included, through the changelog) and the record is processed again from the last commit.
 */
public final class FailTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FailTaskException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when {@code failure} or one of its causes is a {@link FailTaskException}. */
    public static boolean isIn(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof FailTaskException) {
                return true;
            }
            if (cause.getCause() == cause) {
                return false;
            }
        }
        return false;
    }
}
