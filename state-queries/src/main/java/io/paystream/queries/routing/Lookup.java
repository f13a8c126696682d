package io.paystream.queries.routing;

/**
 * The outcome of looking a key up: a local read (the value may be null when the key is unknown), the owner's HTTP
 * answer relayed as is, or unavailable (a rebalance is moving the key, or its owner cannot be reached).
 */
public sealed interface Lookup<V> {
    /** Read from a local store. {@code stale} is true unless the read was from a confirmed active replica. */
    record Local<V>(V value, boolean stale) implements Lookup<V> {
    }

    /** The owning instance answered; its status, body and Retry-After are passed through. */
    record Relayed<V>(int status, String body, String retryAfter) implements Lookup<V> {
    }

    /** Nobody can answer authoritatively right now. */
    record Unavailable<V>(String why) implements Lookup<V> {
    }
}
