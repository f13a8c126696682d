package io.paystream.web.http;

import io.paystream.schemas.validation.IpRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who a request comes from, for the per-address limit: the connection's peer, unless that peer is one of the
 * configured proxies. Then {@code X-Forwarded-For} is read from the right, past every trusted proxy, and the first
 * address no proxy of ours vouches for is the client. A client that writes its own {@code X-Forwarded-For} only adds
 * entries to the left of what our proxies appended, so it cannot choose the address it is counted as; and without
 * trusted proxies the header is never read at all.
 */
public final class ClientAddress {
    private static final int PROXIES_MAX = 64;

    private final List<IpRange> trustedProxies;

    /**
     * @param trustedProxies the proxies whose {@code X-Forwarded-For} is believed: IP addresses or CIDR ranges
     *     ({@code 10.0.0.0/8}, {@code fd00::/8}); empty to believe none
     * @throws IllegalArgumentException when an entry is not an IP literal or range
     */
    public ClientAddress(List<String> trustedProxies) {
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        if (trustedProxies.size() > PROXIES_MAX) {
            throw new IllegalArgumentException("at most " + PROXIES_MAX + " trusted proxies");
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String entry : trustedProxies) {
            ranges.add(IpRange.parse(entry));
        }
        this.trustedProxies = List.copyOf(ranges);
    }

    /**
     * The address a request is counted as.
     *
     * @param peer the connection's remote address
     * @param forwardedFor the {@code X-Forwarded-For} header, or null
     */
    public String of(String peer, String forwardedFor) {
        if (trustedProxies.isEmpty() || forwardedFor == null || !trusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",", -1);
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (IpRange.literal(hop).isEmpty()) {
                return client; // garbage from the client's side: the last address our proxies vouched for counts
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean trusted(String address) {
        return IpRange.literal(address).map(parsed -> trustedProxies.stream().anyMatch(range -> range.contains(parsed)))
                .orElse(false);
    }
}
