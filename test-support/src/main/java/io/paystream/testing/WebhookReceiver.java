package io.paystream.testing;

import com.sun.net.httpserver.HttpServer;
import io.paystream.webhooks.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/**
 * A real webhook receiver: a JDK HTTP server on 127.0.0.1 that verifies each request's signature as the README tells
 * receivers to, records what arrived, and answers what the test scripts (by request number, from 1).
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    public record Received(String eventId, String eventType, String body, boolean signatureValid, int answered,
            int attemptHeader) {
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private volatile String secret;
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param answer the status to answer to request number n
     * @param delayMs how long to wait before answering (a slow or hung receiver)
     */
    public WebhookReceiver(IntUnaryOperator answer, long delayMs) throws IOException {
        server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/hook", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            boolean valid = WebhookSignature.verify(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER),
                    secret, body, Instant.now(), WebhookSignature.DEFAULT_TOLERANCE);
            int status;
            synchronized (received) {
                status = answer.applyAsInt(received.size() + 1);
                received.add(new Received(exchange.getRequestHeaders().getFirst(WebhookSignature.EVENT_ID_HEADER),
                        exchange.getRequestHeaders().getFirst(WebhookSignature.EVENT_TYPE_HEADER), body, valid,
                        status, Integer.parseInt(exchange.getRequestHeaders().getFirst("PayStream-Delivery-Attempt"))));
            }
            inProgress.incrementAndGet();
            try {
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inProgress.decrementAndGet();
            }
            try {
                exchange.sendResponseHeaders(status, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public static WebhookReceiver answering(int status) throws IOException {
        return new WebhookReceiver(n -> status, 0);
    }

    /** Verifies signatures with {@code secret} from now on. */
    public void secret(String secret) {
        this.secret = secret;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Requests received and not yet answered. */
    public int inProgress() {
        return inProgress.get();
    }

    /** Every request received so far, in arrival order. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
