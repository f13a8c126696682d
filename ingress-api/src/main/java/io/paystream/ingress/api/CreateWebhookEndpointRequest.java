package io.paystream.ingress.api;

import java.util.List;

/**
 * The body of {@code POST /v1/webhook-endpoints}.
 *
 * @param url where events are POSTed: http(s), resolving to public addresses only; required
 * @param events the event types to receive; omitted or empty means every type
 * @param description free text of at most 256 printable characters; optional
 */
public record CreateWebhookEndpointRequest(String url, List<String> events, String description) {
}
