package io.paystream.webhooks;

import java.util.Objects;

/**
 * One webhook event, as every endpoint subscribed to it receives it: the same id and the same body for every endpoint
 * and every attempt, so that a receiver can de-duplicate on {@code id}.
 *
 * @param id deterministic: {@code evt_} and 32 hex characters derived from the notification and the type
 * @param type one of {@link WebhookEvents#TYPES}
 * @param accountId the account the event is about; an endpoint receives it only if its owner owns that account
 * @param body the JSON body POSTed, exactly as signed
 */
public record WebhookEvent(String id, String type, String accountId, String body) {
    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(body, "body");
    }
}
