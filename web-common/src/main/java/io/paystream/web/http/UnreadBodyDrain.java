package io.paystream.web.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads what is left of a request's body before an error answer goes out. A request refused before its body was read
 * (401, 403, 429, a 422 on a header) otherwise leaves the body unread, and Jetty, finding it not yet arrived when the
 * answer completes, closes the connection after the answer, without saying so: a keep-alive client that sends its
 * next request on that connection gets no answer at all ("header parser received no bytes"). The body is bounded by
 * the body-limit filter where there is one, and by the client's own Content-Length.
 */
@Priority(Priorities.USER)
public final class UnreadBodyDrain implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400 || request.getLength() == 0) {
            return;
        }
        try (InputStream body = request.getEntityStream()) {
            if (body != null) {
                body.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException | RuntimeException e) {
            // The body is broken or over its limit: the connection cannot be kept, and Jetty closes it.
        }
    }
}
