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
    private final long limitBytes;

    public BodyLimitFilter(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > limitBytes) {
            throw tooLarge();
        }
        request.setEntityStream(new Limited(request.getEntityStream()));
    }

    private ApiException tooLarge() {
        return ApiException.of(413, ApiError.INVALID_REQUEST, "payload_too_large",
                "the body must be at most " + limitBytes + " bytes", null);
    }

    /** Counts bytes as they are read and fails past the limit. */
    private final class Limited extends FilterInputStream {
        private long read;

        Limited(InputStream in) {
            super(in);
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
                throw tooLarge();
            }
        }
    }
}
