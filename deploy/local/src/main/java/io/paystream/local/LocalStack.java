package io.paystream.local;

import io.paystream.acquirer.AcquirerSimulator;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The command line of {@code make run}: a {@link LocalCluster} on the ports and directories of the environment
 * ({@link StackLayout#fromEnvironment}), with data and logs under {@code .paystream/} (kept across runs): a single-node
 * KRaft broker, an embedded PostgreSQL, the processor, the ingress, the acquirer simulator, an SMTP catcher and a Kafka
 * Connect worker with the sinks. With {@code PAYSTREAM_BROKERS=3} ({@code make cluster}): three KRaft nodes (every
 * topic with three replicas, two in sync to write) and two processors, under {@code .paystream-cluster/}. This class
 * adds what a person at a terminal needs: the checks before anything starts (a second start from the same directory,
 * a port already in use, a data directory of another stack size), the progress and the banner, and supervision
 * ({@link Supervision}) until Ctrl-C (or SIGTERM) stops everything in reverse order.
 */
public final class LocalStack {
    static final String DEV_KEY = "local-dev-key";

    private final StackLayout layout;
    private final LocalCluster cluster;
    private final PrintStream out;
    private final Supervision supervision = new Supervision();
    /** Set once a stop began, so that children exiting because of it are not reported as failures. */
    private volatile boolean stopping;

    LocalStack(StackLayout layout, Telemetry telemetry, PrintStream out) {
        this.layout = layout;
        this.cluster = new LocalCluster(layout, LocalCluster.Options.makeRun(), telemetry);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        // The launcher talks to people; its libraries' INFO lines (zonky's, mostly) belong in the logs, not here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        StackLayout layout;
        Telemetry telemetry;
        try {
            layout = StackLayout.fromEnvironment(System::getenv);
            telemetry = Telemetry.fromEnvironment(layout.root(), System::getenv);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("paystream: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new LocalStack(layout, telemetry, System.out).run());
    }

    /** Runs the stack until a signal or a child's death; returns the exit code. */
    int run() throws Exception {
        Files.createDirectories(layout.logs());
        try (FileChannel lockFile = FileChannel.open(layout.home().resolve("run.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                System.err.println("paystream: already running from " + layout.home() + " (another `make run` holds "
                        + layout.home().resolve("run.lock") + "). Stop it first, or set PAYSTREAM_HOME.");
                return 1;
            }
            String mismatch = brokerCountMismatch();
            if (mismatch != null) {
                System.err.println("paystream: " + mismatch);
                return 1;
            }
            String taken = firstTakenPort();
            if (taken != null) {
                System.err.println("paystream: " + taken);
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopping = true;
                stopAll();
            }, "paystream-stop"));
            try {
                startAll();
            } catch (IllegalStateException e) {
                System.err.println("paystream: " + e.getMessage());
                stopAll();
                return 1;
            }
            printBanner();
            return waitForAChildToExit();
        }
    }

    /**
     * A data directory holds one cluster's logs, with as many brokers as it was made with: a stack of another size
     * on it would lose its quorum or its replicas. Records the count at the first start; says so on a mismatch.
     */
    private String brokerCountMismatch() throws IOException {
        Path marker = layout.home().resolve("brokers");
        String count = String.valueOf(layout.brokers().size());
        if (!Files.exists(marker)) {
            if (Files.exists(layout.home().resolve("kafka")) && layout.brokers().size() != 1) {
                return layout.home() + " holds a one-broker stack; a cluster needs its own PAYSTREAM_HOME";
            }
            Files.writeString(marker, count + "\n");
            return null;
        }
        String recorded = Files.readString(marker).trim();
        return recorded.equals(count) ? null : layout.home() + " holds a stack of " + recorded + " broker(s), not "
                + count + ": set PAYSTREAM_HOME to another directory, or PAYSTREAM_BROKERS=" + recorded;
    }

    private String firstTakenPort() {
        Map<Integer, String> users = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> port : layout.ports().entrySet()) {
            String other = users.putIfAbsent(port.getValue(), port.getKey());
            if (other != null) {
                return "port " + port.getValue() + " is set for both the " + other + " and the " + port.getKey()
                        + ". Choose another port with one of the variables named.";
            }
        }
        for (Map.Entry<String, Integer> port : layout.ports().entrySet()) {
            try (ServerSocket probe = new ServerSocket(port.getValue(), 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (IOException e) {
                return "port " + port.getValue() + " for the " + port.getKey() + " is already in use. Stop what uses "
                        + "it, or choose another port with the variable named.";
            }
        }
        return null;
    }

    private void startAll() throws IOException, InterruptedException {
        out.println("Starting PayStream in " + layout.home() + " (logs in " + layout.logs() + ")");
        cluster.startBroker();
        out.println("  kafka      ready on " + layout.bootstrapServers() + (layout.brokers().size() == 1 ? ""
                : "   (" + layout.brokers().size() + " KRaft nodes, replication " + layout.replicationFactor()
                        + ", min.insync.replicas 2)"));
        cluster.startPostgres(true);
        out.println("  postgres   ready on " + layout.jdbcUrl());
        // The processors and the ingress start together, and are waited for together.
        for (int instance = 0; instance < layout.processors(); instance++) {
            cluster.startProcessor(instance, false);
        }
        cluster.launchIngress();
        for (int instance = 0; instance < layout.processors(); instance++) {
            cluster.awaitProcessor(instance);
            out.println("  " + String.format("%-10s", displayName(LocalCluster.processorName(instance))) + " healthy");
        }
        cluster.awaitIngress();
        out.println("  ingress    healthy");
        // PAYSTREAM_ACQUIRER_APPROVAL_RATE (0.9), _LATENCY_MS (50) and _HANG_MS (30000) tune it.
        Map<String, String> acquirerEnvironment = new java.util.HashMap<>(System.getenv());
        acquirerEnvironment.put("PAYSTREAM_ACQUIRER_PORT", String.valueOf(layout.acquirerPort()));
        acquirerEnvironment.put("PAYSTREAM_ACQUIRER_DATA", layout.home().resolve("acquirer/charges.jsonl").toString());
        AcquirerSimulator.Settings acquirerSettings = AcquirerSimulator.Settings.fromEnvironment(acquirerEnvironment);
        cluster.startAcquirer(acquirerSettings);
        out.println("  acquirer   simulator on http://127.0.0.1:" + layout.acquirerPort() + " ("
                + Math.round(acquirerSettings.approvalRate() * 100) + "% approved; tok_approve, tok_decline, "
                + "tok_timeout)");
        cluster.startMail();
        out.println("  mail       SMTP on 127.0.0.1:" + layout.smtpPort() + "; messages written to " + layout.mail());
        // After the processor: it creates the topics the sinks read.
        cluster.startConnect();
        out.println("  connect    sinks running");
    }

    /** {@code processor} beside one broker; {@code processor-1}, {@code processor-2} beside a cluster. */
    private String displayName(String child) {
        return layout.processors() == 1 && child.equals(LocalCluster.processorName(0)) ? "processor" : child;
    }

    private void printBanner() {
        String ingress = "http://127.0.0.1:" + layout.ingressPort();
        String queries = "http://127.0.0.1:" + layout.processorPort(0);
        out.println();
        out.println("PayStream is running. Press Ctrl-C to stop it; data stays in " + layout.home()
                + " (`make clean` wipes it).");
        out.println();
        out.println("  ingress API   " + ingress + "   (admin: http://127.0.0.1:" + layout.ingressAdminPort()
                + "/healthcheck, /metrics; OpenAPI: " + ingress + "/openapi.json)");
        for (int instance = 0; instance < layout.processors(); instance++) {
            out.println("  query API     http://127.0.0.1:" + layout.processorPort(instance) + "   (admin: "
                    + "http://127.0.0.1:" + layout.processorAdminPort(instance) + "/healthcheck, /metrics"
                    + (layout.processors() == 1 ? "" : "; " + LocalCluster.processorName(instance)
                            + ", either answers for any key")
                    + ")");
        }
        out.println("  console       " + queries + "/console/   (sign in with the API key below)");
        out.println("  kafka         " + layout.bootstrapServers());
        out.println("  postgres      " + layout.jdbcUrl() + "   (user postgres; tables ledger_entries, "
                + "balance_history, payments, webhook_deliveries, email_messages)");
        out.println("  connect       http://127.0.0.1:" + layout.connectPort() + "/connectors   (metrics: /metrics)");
        out.println("  API key       " + DEV_KEY + "   (admin scope)");
        out.println("  tracing       " + cluster.telemetry().description());
        out.println();
        out.println("Try:");
        String auth = "-H 'Authorization: Bearer " + DEV_KEY + "'";
        String json = "-H 'Content-Type: application/json'";
        out.println("  curl -X POST " + ingress + "/v1/accounts " + auth + " " + json
                + " -d '{\"accountId\":\"alice\",\"currency\":\"USD\",\"type\":\"CUSTOMER\"}'");
        out.println("  curl -X POST " + ingress + "/v1/accounts " + auth + " " + json
                + " -d '{\"accountId\":\"bob\",\"currency\":\"USD\",\"type\":\"CUSTOMER\"}'");
        out.println("  curl -X POST " + ingress + "/v1/payments " + auth + " " + json
                + " -H 'Idempotency-Key: topup-1' -d '{\"type\":\"TOPUP\",\"to\":\"alice\",\"amount\":10000,"
                + "\"currency\":\"USD\"}'");
        out.println("  curl -X POST " + ingress + "/v1/payments " + auth + " " + json
                + " -H 'Idempotency-Key: order-1' -d '{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\","
                + "\"amount\":1050,\"currency\":\"USD\"}'");
        out.println("  curl " + queries + "/v1/accounts/alice " + auth);
        out.println("  curl " + queries + "/v1/payments/<paymentId> " + auth);
        out.println("  curl " + queries + "/v1/accounts/alice/entries " + auth);
        out.println("Email: open an account with \"email\":\"alice@example.com\"; each notification lands in "
                + layout.mail() + " as an .eml file.");
        out.println("Webhooks (a receiver on 127.0.0.1 is allowed locally; the answer holds the signing secret):");
        out.println("  curl -X POST " + ingress + "/v1/webhook-endpoints " + auth + " " + json
                + " -d '{\"url\":\"http://127.0.0.1:9000/hook\"}'");
        out.println("  curl " + ingress + "/v1/webhook-endpoints/<id>/deliveries " + auth);
        out.println("Traffic simulator (or the console's Simulator page; at most 200 requests/s for 600 s; "
                + "DELETE /v1/simulator stops it):");
        out.println("  curl -X POST " + queries + "/v1/simulator " + auth + " " + json
                + " -d '{\"ratePerSecond\":20,\"durationSeconds\":60,\"accounts\":10}'");
        out.flush();
    }

    private int waitForAChildToExit() throws InterruptedException, IOException {
        while (!stopping) {
            for (Map.Entry<String, ChildProcess> child : cluster.children().entrySet()) {
                if (!child.getValue().isAlive() && !stopping) {
                    String name = child.getKey();
                    int code = child.getValue().process().exitValue();
                    if (supervision.restart(name, code, System.nanoTime() / 1_000_000)) {
                        System.err.println("paystream: " + name + " exited (code " + code + "); " + (name.startsWith(
                                "kafka-") ? "the other brokers keep the cluster writing, restarting it to catch up"
                                : "it had stalled, restarting it") + ". See " + layout.logs().resolve(name + ".log"));
                        cluster.restart(name);
                        continue;
                    }
                    System.err.println("paystream: " + name + " exited with code " + code
                            + "; stopping the rest. See " + layout.logs());
                    stopAll();
                    return 1;
                }
            }
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(500);
        }
        return 0;
    }

    /** Stops the apps before the brokers, so they can commit and close cleanly. Idempotent. */
    private synchronized void stopAll() {
        cluster.stop(name -> {
            out.println("stopping " + name);
            out.flush();
        });
        out.println("stopped");
        out.flush();
    }
}
