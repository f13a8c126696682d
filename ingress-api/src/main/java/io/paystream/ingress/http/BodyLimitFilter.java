package io.paystream.ingress.http;

import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses bodies over the limit with 413: at once when Content-Length says so, and while reading when a chunked
 * body grows past it. Nothing over the limit is buffered.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class BodyLimitFilter implements ContainerRequestFilter {
    /** The path whose bodies have the batch limit: a batch carries up to 1,000 payments. */
    private static final String BATCHES = "v1/payment-batches";

    private final long limitBytes;
    private final long batchLimitBytes;

    /**
     * @param limitBytes the limit of every body but a batch's
     * @param batchLimitBytes the limit of {@code POST /v1/payment-batches}
     */
    public BodyLimitFilter(long limitBytes, long batchLimitBytes) {
        this.limitBytes = limitBytes;
        this.batchLimitBytes = batchLimitBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath(true);
        long limit = path.startsWith(BATCHES) || path.startsWith("/" + BATCHES) ? batchLimitBytes : limitBytes;
        if (request.getLength() > limit) {
            throw tooLarge(limit);
        }
        request.setEntityStream(new Limited(request.getEntityStream(), limit));
    }

    private static ApiException tooLarge(long limitBytes) {
        return ApiException.of(413, ApiError.INVALID_REQUEST, "payload_too_large",
                "the body must be at most " + limitBytes + " bytes", null);
    }

    /** Counts bytes as they are read and fails past the limit. */
    private static final class Limited extends FilterInputStream {
        private final long limitBytes;
        private long read;

        Limited(InputStream in, long limitBytes) {
            super(in);
            this.limitBytes = limitBytes;
        }

        @Override
        public int read() throws IOException {
            int next = super.read();
            if (next >= 0) {
                count(1);
            }
            return next;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > limitBytes) {
                throw tooLarge(limitBytes);
            }
        }
    }
}
