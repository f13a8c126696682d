package io.paystream.sinks.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.paystream.webhooks.UrlPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding against the deliveries' HTTP client: a host that resolved to a public address when its URL was
 * checked, and to an internal one when the connection is made. The connection resolves through the URL policy, so
 * the internal address is never connected to; a host that resolves to an allowed address is reached by name.
 */
class CheckedDnsResolverTest {
    private static InetAddress address(String literal) throws java.net.UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void refusesAnAnswerThatRebindsToAnInternalAddress() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // The first answer (the URL check's) is public; every later one points inside.
        CheckedDnsResolver resolver = new CheckedDnsResolver(new UrlPolicy(false), host -> new InetAddress[] {
            lookups.getAndIncrement() == 0 ? address("93.184.215.14") : address("169.254.169.254")});

        assertThat(resolver.resolve("hooks.example")).containsExactly(address("93.184.215.14"));
        assertThatThrownBy(() -> resolver.resolve("hooks.example"))
                .isInstanceOf(CheckedDnsResolver.RefusedAddressException.class)
                .hasMessageContaining("169.254.169.254").hasMessageContaining("link-local");
        CheckedDnsResolver mixed = new CheckedDnsResolver(new UrlPolicy(false), host -> new InetAddress[] {
            address("93.184.215.14"), address("10.0.0.5")});
        assertThatThrownBy(() -> mixed.resolve("hooks.example")).as("one internal address among public ones")
                .isInstanceOf(CheckedDnsResolver.RefusedAddressException.class);
    }

    @Test
    void theClientConnectsOnlyToCheckedAddressesAndKeepsTheHostName() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        List<String> hosts = new CopyOnWriteArrayList<>();
        receiver.createContext("/", exchange -> {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://rebinding.test:" + receiver.getAddress().getPort() + "/hook";
        try (CloseableHttpClient production = Dispatcher.httpClient(new CheckedDnsResolver(new UrlPolicy(false),
                host -> new InetAddress[] {address("127.0.0.1")}), 4, 2, Duration.ofSeconds(2));
                CloseableHttpClient local = Dispatcher.httpClient(new CheckedDnsResolver(new UrlPolicy(true),
                        host -> new InetAddress[] {address("127.0.0.1")}), 4, 2, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> production.execute(new HttpPost(url), response -> response.getCode()))
                    .isInstanceOf(CheckedDnsResolver.RefusedAddressException.class);
            assertThat(hosts).as("nothing reached the internal address").isEmpty();

            int status = local.execute(new HttpPost(url), response -> response.getCode());
            assertThat(status).isEqualTo(204);
            assertThat(hosts).containsExactly("rebinding.test:" + receiver.getAddress().getPort());
        } finally {
            receiver.stop(0);
        }
    }
}
