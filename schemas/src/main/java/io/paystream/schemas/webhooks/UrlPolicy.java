package io.paystream.schemas.webhooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs PayStream will POST to. A webhook URL is chosen by a tenant, and the delivery worker sits inside the
 * network, so an unchecked URL lets a tenant make PayStream call its internal services (server-side request forgery).
 * Refused: anything but http(s), credentials in the URL, and hosts that resolve to any address that is not public:
 * loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where cloud metadata lives, and
 * fe80::/10), carrier-grade NAT (100.64/10), unspecified, multicast, and IPv4-mapped forms of these. Loopback is
 * allowed only when the local stack says so.
 *
 * <p>The check runs when an endpoint is registered and again before every delivery, because DNS can change in
 * between (DNS rebinding). Delivery never follows redirects, which would skip the check.
 */
public final class UrlPolicy {
    /** The longest URL accepted. */
    public static final int MAX_LENGTH = 2048;

    private final boolean allowLoopback;

    /** @param allowLoopback true only for the local stack and tests, whose receivers listen on 127.0.0.1 */
    public UrlPolicy(boolean allowLoopback) {
        this.allowLoopback = allowLoopback;
    }

    /** Why {@code url} may not be called, or empty when it may. Resolves the host (a DNS lookup). */
    public Optional<String> refusal(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("is required");
        }
        if (url.length() > MAX_LENGTH) {
            return Optional.of("is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("has no host");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not have a fragment");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return Optional.of("has a host that does not resolve: " + uri.getHost());
        }
        for (InetAddress address : addresses) {
            Optional<String> refused = refusal(address);
            if (refused.isPresent()) {
                return Optional.of("resolves to " + address.getHostAddress() + ", " + refused.get()
                        + "; webhooks are delivered only to public addresses");
            }
        }
        return Optional.empty();
    }

    /** Why {@code address} may not be called, or empty when it is public (or loopback, when that is allowed). */
    Optional<String> refusal(InetAddress address) {
        // The JDK turns IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) into Inet4Address, so they are checked as such.
        if (address.isLoopbackAddress()) {
            return allowLoopback ? Optional.empty() : Optional.of("a loopback address");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("the unspecified address");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("a private address");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 100 && second >= 64 && second < 128) {
                return Optional.of("a carrier-grade NAT address");
            }
            if (first == 0 || first >= 240) {
                return Optional.of("a reserved address");
            }
        } else if ((bytes[0] & 0xfe) == 0xfc) {
            return Optional.of("a private (unique local) address");
        }
        return Optional.empty();
    }
}
