package io.paystream.webhooks;

import io.paystream.schemas.validation.IpRange;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which URLs PayStream will POST to. A webhook URL is chosen by a tenant, and the delivery worker sits inside the
 * network, so an unchecked URL lets a tenant make PayStream call its internal services (server-side request forgery).
 * Refused: anything but http(s), credentials in the URL, and hosts that resolve to any address in the IANA
 * special-purpose registries: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where
 * cloud metadata lives, and fe80::/10), carrier-grade NAT (100.64/10), 192.0.0.0/24, documentation and benchmarking
 * ranges, multicast and reserved ones, the ranges that embed an IPv4 address (NAT64 64:ff9b::/96, 6to4 2002::/16,
 * IPv4-compatible ::/96, Teredo), IPv4-mapped forms of all these, and Azure's host address 168.63.129.16. Loopback is
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
        Optional<String> form = refusalOfForm(url);
        if (form.isPresent()) {
            return form;
        }
        String host = URI.create(url).getHost();
        try {
            return refusalOfAddresses(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return Optional.of(unresolved(host));
        }
    }

    /**
     * Why {@code url} may not be called whatever its host resolves to (scheme, credentials, host, fragment, length),
     * or empty: the part of {@link #refusal(String)} that needs no DNS lookup.
     */
    public Optional<String> refusalOfForm(String url) {
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
        return Optional.empty();
    }

    /** Why a host that resolves to {@code addresses} may not be called, or empty when every one of them may. */
    public Optional<String> refusalOfAddresses(InetAddress[] addresses) {
        for (InetAddress address : addresses) {
            Optional<String> refused = refusal(address);
            if (refused.isPresent()) {
                return Optional.of("resolves to " + address.getHostAddress() + ", " + refused.get()
                        + "; webhooks are delivered only to public addresses");
            }
        }
        return Optional.empty();
    }

    /** Why a host that does not resolve may not be called. */
    public static String unresolved(String host) {
        return "has a host that does not resolve: " + host;
    }

    /**
     * The IANA special-purpose address registries (IPv4 and IPv6), with what each range is; none of them is a public
     * receiver. Ranges that embed an IPv4 address (NAT64, 6to4, IPv4-compatible, Teredo) are refused whole: their
     * gateways would take PayStream to whatever IPv4 address they carry.
     */
    private static final List<Map.Entry<IpRange, String>> SPECIAL_PURPOSE = Stream.of(
            Map.entry("0.0.0.0/8", "a \"this network\" address"),
            Map.entry("10.0.0.0/8", "a private address"),
            Map.entry("100.64.0.0/10", "a carrier-grade NAT address"),
            Map.entry("127.0.0.0/8", "a loopback address"),
            Map.entry("169.254.0.0/16", "a link-local address"),
            Map.entry("172.16.0.0/12", "a private address"),
            Map.entry("192.0.0.0/24", "an IETF protocol assignment"),
            Map.entry("192.0.2.0/24", "a documentation address"),
            Map.entry("192.31.196.0/24", "an AS112 address"),
            Map.entry("192.52.193.0/24", "an AMT address"),
            Map.entry("192.88.99.0/24", "a 6to4 relay address"),
            Map.entry("192.168.0.0/16", "a private address"),
            Map.entry("192.175.48.0/24", "a direct delegation AS112 address"),
            Map.entry("198.18.0.0/15", "a benchmarking address"),
            Map.entry("198.51.100.0/24", "a documentation address"),
            Map.entry("203.0.113.0/24", "a documentation address"),
            Map.entry("224.0.0.0/4", "a multicast address"),
            Map.entry("240.0.0.0/4", "a reserved address"),
            // Azure's host endpoint (DHCP, DNS, metadata), reachable from every VM like 169.254.169.254.
            Map.entry("168.63.129.16/32", "a cloud platform's host address"),
            Map.entry("::/128", "the unspecified address"),
            Map.entry("::1/128", "a loopback address"),
            Map.entry("::/96", "an IPv4-compatible address"),
            Map.entry("64:ff9b::/96", "a NAT64 address"),
            Map.entry("64:ff9b:1::/48", "a local-use NAT64 address"),
            Map.entry("100::/64", "a discard-only address"),
            Map.entry("100:0:0:1::/64", "a dummy address"),
            Map.entry("2001::/23", "an IETF protocol assignment (Teredo and others)"),
            Map.entry("2001:db8::/32", "a documentation address"),
            Map.entry("2002::/16", "a 6to4 address"),
            Map.entry("2620:4f:8000::/48", "a direct delegation AS112 address"),
            Map.entry("3fff::/20", "a documentation address"),
            Map.entry("5f00::/16", "a segment routing address"),
            Map.entry("fc00::/7", "a private (unique local) address"),
            Map.entry("fe80::/10", "a link-local address"),
            Map.entry("fec0::/10", "a site-local address"),
            Map.entry("ff00::/8", "a multicast address"))
            .map(entry -> Map.entry(IpRange.parse(entry.getKey()), entry.getValue())).toList();

    /** Why {@code address} may not be called, or empty when it is public (or loopback, when that is allowed). */
    public Optional<String> refusal(InetAddress address) {
        // The JDK turns IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) into Inet4Address, so they are checked as such.
        if (address.isLoopbackAddress()) {
            return allowLoopback ? Optional.empty() : Optional.of("a loopback address");
        }
        for (Map.Entry<IpRange, String> range : SPECIAL_PURPOSE) {
            if (range.getKey().contains(address)) {
                return Optional.of(range.getValue());
            }
        }
        return Optional.empty();
    }
}
