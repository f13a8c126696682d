package io.paystream.schemas.validation;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One IPv4 or IPv6 address range in CIDR notation ({@code 10.0.0.0/8}, {@code 64:ff9b::/96}), or a single address.
 * Parsing takes IP literals only and never resolves a host name.
 *
 * @param network the range's first address, as an unsigned number shifted right past the host bits
 * @param prefixBits how many leading bits the range fixes
 * @param addressBits 32 for IPv4, 128 for IPv6
 */
public record IpRange(BigInteger network, int prefixBits, int addressBits) {
    /** What an IP literal may contain: a host name never matches, so it is never looked up. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    public IpRange {
        Objects.requireNonNull(network, "network");
    }

    /**
     * The range {@code cidr} names.
     *
     * @throws IllegalArgumentException when it is not an IP literal with an optional prefix length that fits it
     */
    public static IpRange parse(String cidr) {
        String[] parts = cidr.trim().split("/", 2);
        InetAddress address = literal(parts[0]).orElseThrow(() -> new IllegalArgumentException(
                "not an IP address or CIDR range: " + cidr));
        int bits = address.getAddress().length * 8;
        int prefix;
        try {
            prefix = parts.length == 1 ? bits : Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a CIDR range's prefix length is a number: " + cidr, e);
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("a CIDR range's prefix length is 0 to " + bits + ": " + cidr);
        }
        return new IpRange(top(address, prefix), prefix, bits);
    }

    /** The address an IP literal names, or empty for anything else (a host name is never resolved). */
    public static Optional<InetAddress> literal(String text) {
        if (text == null || !IP_LITERAL.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** True when {@code address} is of this range's family and inside it. */
    public boolean contains(InetAddress address) {
        return address.getAddress().length * 8 == addressBits && top(address, prefixBits).equals(network);
    }

    private static BigInteger top(InetAddress address, int prefix) {
        return new BigInteger(1, address.getAddress()).shiftRight(address.getAddress().length * 8 - prefix);
    }
}
