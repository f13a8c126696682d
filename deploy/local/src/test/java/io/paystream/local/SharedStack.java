package io.paystream.local;

import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.ingress.IngressApplication;
import io.paystream.ingress.IngressConfiguration;
import io.paystream.processor.ProcessorApplication;
import io.paystream.processor.ProcessorConfiguration;
import io.paystream.testing.FreePorts;
import io.paystream.testing.InProcessKafka;
import io.paystream.web.auth.ApiKeyAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process stack for every test class of this module that extends with it: a KRaft broker, the processor (with
 * its console) and the ingress, started by the first such class and stopped when the test run ends. Each class keeps
 * to its own accounts (a prefix of its own) and keys, so that classes running side by side on it do not meet. What
 * the stack has beyond the shipped local configs is what its users need: three tenant keys with their prefixes, a
 * quota of accounts for one of them, and holds as short as 5 s.
 */
public final class SharedStack implements BeforeAllCallback {
    public static final String SHOP_KEY = "Bearer e2e-shop-key";
    public static final String BUYER_KEY = "Bearer e2e-buyer-key";
    public static final String QUOTA_KEY = "Bearer e2e-quota-key";
    /** The quota of accounts of the client behind {@link #QUOTA_KEY}. */
    public static final int QUOTA = 3;
    /** Lowered from production's 60 s (profile local only), so that a hold expires while a test watches. */
    public static final int MIN_HOLD_SECONDS = 5;
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Duration START = Duration.ofMinutes(2);

    private static Stack stack;

    /** The running stack; a class must extend with {@link SharedStack} first. */
    public static Stack get() {
        if (stack == null) {
            throw new IllegalStateException("no shared stack: extend the test class with SharedStack");
        }
        return stack;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (SharedStack.class) {
            if (stack == null) {
                Stack started = Stack.start();
                // The root store closes it once, when the whole run is over.
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(SharedStack.class, started);
                stack = started;
            }
        }
    }

    /** The running apps and their broker. */
    public static final class Stack implements ExtensionContext.Store.CloseableResource {
        private final InProcessKafka kafka;
        private final DropwizardTestSupport<ProcessorConfiguration> processor;
        private final DropwizardTestSupport<IngressConfiguration> ingress;

        private Stack(InProcessKafka kafka, DropwizardTestSupport<ProcessorConfiguration> processor,
                DropwizardTestSupport<IngressConfiguration> ingress) {
            this.kafka = kafka;
            this.processor = processor;
            this.ingress = ingress;
        }

        private static Stack start() throws Exception {
            InProcessKafka kafka = InProcessKafka.start();
            int queryPort = FreePorts.next();
            int ingressPort = FreePorts.next();
            while (ingressPort == queryPort) {
                ingressPort = FreePorts.next();
            }
            // Each app gets its own override prefix: overrides are system properties, and both run in this JVM.
            DropwizardTestSupport<ProcessorConfiguration> processor = new DropwizardTestSupport<>(
                    ProcessorApplication.class, ROOT.resolve("streams-processor/config.yml").toString(), "shared",
                    ConfigOverride.config("shared", "profile", "local"),
                    ConfigOverride.config("shared", "kafka.bootstrap\\.servers", kafka.bootstrapServers()),
                    ConfigOverride.config("shared", "server.applicationConnectors[0].port", String.valueOf(queryPort)),
                    ConfigOverride.config("shared", "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config("shared", "streams.applicationServer", "127.0.0.1:" + queryPort),
                    ConfigOverride.config("shared", "streams.partitions", "3"),
                    ConfigOverride.config("shared", "streams.stateDir",
                            Files.createTempDirectory("shared-stack").toString()),
                    ConfigOverride.config("shared", "streams.accountQuotas.e2e-quota", String.valueOf(QUOTA)),
                    ConfigOverride.config("shared", "minHoldSeconds", String.valueOf(MIN_HOLD_SECONDS)),
                    ConfigOverride.config("shared", "console.ingressUrl", "http://127.0.0.1:" + ingressPort));
            processor.before();
            DropwizardTestSupport<IngressConfiguration> ingress = new DropwizardTestSupport<>(
                    IngressApplication.class, ingressConfigWithTenants().toString(), "sharedingress",
                    ConfigOverride.config("sharedingress", "profile", "local"),
                    ConfigOverride.config("sharedingress", "kafka.bootstrap\\.servers", kafka.bootstrapServers()),
                    ConfigOverride.config("sharedingress", "server.applicationConnectors[0].port",
                            String.valueOf(ingressPort)),
                    ConfigOverride.config("sharedingress", "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config("sharedingress", "queryApi.url", "http://127.0.0.1:" + queryPort),
                    ConfigOverride.config("sharedingress", "cors.allowedOrigins[0]", "http://127.0.0.1:" + queryPort),
                    ConfigOverride.config("sharedingress", "minHoldSeconds", String.valueOf(MIN_HOLD_SECONDS)));
            ingress.before();
            Stack stack = new Stack(kafka, processor, ingress);
            try {
                await().atMost(START).until(stack::healthy);
            } catch (RuntimeException e) {
                stack.close();
                throw e;
            }
            return stack;
        }

        /**
         * The shipped ingress config.yml with three tenants' keys added beside the admin key: a shop that owns the
         * {@code shop-} accounts, a buyer that owns the {@code buyer-} accounts (so that ownership is checked through
         * the real lookup of a payment's parties), and a client with a quota of accounts that owns {@code quota-}.
         */
        private static Path ingressConfigWithTenants() throws Exception {
            String config = Files.readString(ROOT.resolve("ingress-api/config.yml"));
            String adminKey = "    scopes: [admin]\n";
            if (!config.contains(adminKey)) {
                throw new IllegalStateException("ingress-api/config.yml no longer has the admin key's scopes line");
            }
            Path copy = Files.createTempFile("ingress-shared", ".yml");
            Files.writeString(copy, config.replace(adminKey, adminKey
                    + tenant("e2e-shop", SHOP_KEY, "[payments:write, accounts:write]", "shop-")
                    + tenant("e2e-buyer", BUYER_KEY, "[payments:write, accounts:write]", "buyer-")
                    + tenant("e2e-quota", QUOTA_KEY, "[accounts:write, accounts:read]", "quota-")));
            return copy;
        }

        private static String tenant(String clientId, String bearer, String scopes, String prefix) {
            return "  - clientId: " + clientId + "\n"
                    + "    keySha256: " + ApiKeyAuth.sha256Hex(bearer.substring("Bearer ".length())) + "\n"
                    + "    scopes: " + scopes + "\n"
                    + "    ownedAccountPrefixes: [" + prefix + "]\n";
        }

        private boolean healthy() throws Exception {
            try {
                return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + processor.getAdminPort() + "/healthcheck")).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        }

        public InProcessKafka kafka() {
            return kafka;
        }

        public DropwizardTestSupport<ProcessorConfiguration> processor() {
            return processor;
        }

        public DropwizardTestSupport<IngressConfiguration> ingress() {
            return ingress;
        }

        /** The query API, on the processor. */
        public int queryPort() {
            return processor.getLocalPort();
        }

        public int ingressPort() {
            return ingress.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            ingress.after();
            processor.after();
            kafka.close();
        }
    }
}
