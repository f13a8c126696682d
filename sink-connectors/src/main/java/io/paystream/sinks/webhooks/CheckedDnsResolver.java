package io.paystream.sinks.webhooks;

import io.paystream.webhooks.UrlPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * Resolves a webhook's host for the connection itself and hands the connection only addresses the URL policy allows:
 * the addresses checked are the addresses connected to. Checking the URL and then letting the HTTP client resolve
 * the host again left a gap: a DNS answer that changes between the two (DNS rebinding) led a delivery into the
 * network. The Host header and TLS's server name keep the host name, since the client connects by name.
 */
final class CheckedDnsResolver implements DnsResolver {
    /** Where names are looked up: the system resolver, or a test's. */
    interface Lookup {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A host that does not resolve, or resolves to an address deliveries may not reach; the message says which. */
    static final class RefusedAddressException extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        RefusedAddressException(String why) {
            super(why);
        }
    }

    private final UrlPolicy urls;
    private final Lookup lookup;

    CheckedDnsResolver(UrlPolicy urls, Lookup lookup) {
        this.urls = Objects.requireNonNull(urls, "urls");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /** With the system resolver. */
    CheckedDnsResolver(UrlPolicy urls) {
        this(urls, InetAddress::getAllByName);
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses;
        try {
            addresses = lookup.resolve(host);
        } catch (UnknownHostException e) {
            throw new RefusedAddressException(UrlPolicy.unresolved(host));
        }
        Optional<String> refusal = urls.refusalOfAddresses(addresses);
        if (refusal.isPresent()) {
            throw new RefusedAddressException(refusal.get());
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        return host; // never used for a connection: the client connects to resolve()'s addresses
    }
}
