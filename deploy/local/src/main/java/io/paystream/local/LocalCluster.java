package io.paystream.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stack as separate processes on loopback, under a caller's control: a KRaft broker (or a cluster of three, every
 * topic with three replicas and two in sync to write), up to three processor
 * instances (each with its own state dir and ports), the ingress, PostgreSQL and the sinks in a Connect worker, started
 * from the built modules as {@code make run} starts them. The chaos run and the benchmark drive it; faults are real
 * signals: SIGKILL for crashes, SIGTERM for clean stops.
 */
public final class LocalCluster implements AutoCloseable {
    public static final int MAX_PROCESSORS = 3;
    private static final Duration START = Duration.ofSeconds(120);

    /**
     * How the apps are configured.
     *
     * @param commitIntervalMs the processors' commit interval
     * @param streamThreads stream threads per processor
     * @param partitions partitions of the co-partitioned topics
     * @param stallTimeout the processors' stall timeout (e.g. {@code 45s})
     * @param ingressRateLimit the ingress's requests per second (and burst)
     * @param telemetry whether to attach the OpenTelemetry agent, as {@code make run} does
     * @param processorHeap the processors' maximum heap (e.g. {@code 384m})
     * @param quickJit C1 only ({@code -XX:TieredStopAtLevel=1}): quicker starts and less CPU for tests, slower code
     */
    public record Options(long commitIntervalMs, int streamThreads, int partitions, String stallTimeout,
            int ingressRateLimit, boolean telemetry, String processorHeap, boolean quickJit) {
        public Options withCommitIntervalMs(long value) {
            return new Options(value, streamThreads, partitions, stallTimeout, ingressRateLimit, telemetry,
                    processorHeap, quickJit);
        }

        public Options withStreamThreads(int value) {
            return new Options(commitIntervalMs, value, partitions, stallTimeout, ingressRateLimit, telemetry,
                    processorHeap, quickJit);
        }
    }

    private final Options options;
    private final Path root;
    private final Path home;
    private final StackLayout layout;
    private final Telemetry telemetry;
    private final int[] processorPorts = new int[MAX_PROCESSORS];
    private final int[] processorAdminPorts = new int[MAX_PROCESSORS];
    private final ChildProcess[] processors = new ChildProcess[MAX_PROCESSORS];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ChildProcess[] brokers;
    private ChildProcess ingress;
    private ChildProcess connect;
    private io.paystream.acquirer.AcquirerSimulator acquirer;
    private EmbeddedPostgres postgres;

    /**
     * @param root the repository root (where the modules' {@code target/} directories are)
     * @param home where data and logs go; wiped PostgreSQL data on start, the rest kept
     */
    public LocalCluster(Path root, Path home, Options options) {
        this(root, home, options, 1);
    }

    /** A stack with {@code brokerCount} KRaft nodes (1, or 3 for a replicated cluster). */
    public LocalCluster(Path root, Path home, Options options, int brokerCount) {
        this.root = root.toAbsolutePath().normalize();
        // Absolute: the children run in the repository root, the caller perhaps elsewhere (a module's directory).
        this.home = home.toAbsolutePath().normalize();
        this.options = options;
        List<StackLayout.BrokerPorts> nodes = new ArrayList<>();
        for (int i = 0; i < brokerCount; i++) {
            nodes.add(new StackLayout.BrokerPorts(freePort(), freePort()));
        }
        this.brokers = new ChildProcess[brokerCount];
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            processorPorts[i] = freePort();
            processorAdminPorts[i] = freePort();
        }
        // The first processor's query port is the one Connect's email sink asks for addresses.
        this.layout = new StackLayout(this.root, this.home, nodes, processorPorts[0], processorAdminPorts[0],
                freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
        this.telemetry = options.telemetry() ? Telemetry.fromEnvironment(this.root, name -> null)
                : new Telemetry(null, null, null, "off");
    }

    public Options options() {
        return options;
    }

    public String bootstrapServers() {
        return layout.bootstrapServers();
    }

    public String jdbcUrl() {
        return layout.jdbcUrl();
    }

    public String ingressUrl() {
        return "http://127.0.0.1:" + layout.ingressPort();
    }

    public String ingressAdminUrl() {
        return "http://127.0.0.1:" + layout.ingressAdminPort();
    }

    public String queryUrl(int instance) {
        return "http://127.0.0.1:" + processorPorts[instance];
    }

    public String adminUrl(int instance) {
        return "http://127.0.0.1:" + processorAdminPorts[instance];
    }

    public Path logs() {
        return layout.logs();
    }

    public Path stateDir(int instance) {
        return home.resolve("state/processor-" + instance);
    }

    /** Starts every broker that is not running, and waits until each takes connections. */
    public void startBroker() throws IOException, InterruptedException {
        for (int node = 0; node < brokers.length; node++) {
            if (brokers[node] == null || !brokers[node].isAlive()) {
                launchBroker(node);
            }
        }
        for (int node = 0; node < brokers.length; node++) {
            brokers[node].awaitPort(layout.brokers().get(node).kafkaPort(), START);
        }
    }

    /** Starts broker {@code node} (0-based) and waits until it takes connections. */
    public void startBroker(int node) throws IOException, InterruptedException {
        launchBroker(node);
        brokers[node].awaitPort(layout.brokers().get(node).kafkaPort(), START);
    }

    private void launchBroker(int node) throws IOException, InterruptedException {
        // The launcher's own runtime classpath, as `make run` uses: the broker and slf4j-simple, no test jars.
        Path target = root.resolve("deploy/local/target");
        brokers[node] = Broker.start(layout, node, target.resolve("local-stack-0.1.0-SNAPSHOT.jar") + ":"
                + target.resolve("lib") + "/*", telemetry.jvmArgs(Broker.name(layout, node)));
    }

    public int brokerCount() {
        return brokers.length;
    }

    /** Broker {@code node}'s {@code node.id}: one more than its index. */
    public static int nodeId(int node) {
        return node + 1;
    }

    public boolean isBrokerRunning(int node) {
        return brokers[node] != null && brokers[node].isAlive();
    }

    /** The broker (0-based) that leads {@code partition} of {@code topic} now, or -1 when none does. */
    public int leaderOf(String topic, int partition) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = admin()) {
            org.apache.kafka.common.Node leader = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS).get(topic).partitions().get(partition).leader();
            return leader == null || leader.isEmpty() ? -1 : leader.id() - 1;
        }
    }

    /**
     * How many partitions of every topic (PayStream's, the changelogs, the broker's own) have fewer replicas in sync
     * than assigned: 0 once every broker has caught up. Asked of the running brokers only.
     */
    public int underReplicatedPartitions() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = admin()) {
            java.util.Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions()
                    .listInternal(true)).names().get(30, java.util.concurrent.TimeUnit.SECONDS);
            int behind = 0;
            for (org.apache.kafka.clients.admin.TopicDescription topic : admin.describeTopics(topics)
                    .allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS).values()) {
                for (org.apache.kafka.common.TopicPartitionInfo partition : topic.partitions()) {
                    if (partition.isr().size() < partition.replicas().size()) {
                        behind++;
                    }
                }
            }
            return behind;
        }
    }

    private org.apache.kafka.clients.admin.Admin admin() {
        java.util.Properties properties = new java.util.Properties();
        StringBuilder running = new StringBuilder();
        for (int node = 0; node < brokers.length; node++) {
            if (isBrokerRunning(node)) {
                running.append(running.length() == 0 ? "" : ",").append("127.0.0.1:")
                        .append(layout.brokers().get(node).kafkaPort());
            }
        }
        properties.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                running.length() == 0 ? layout.bootstrapServers() : running.toString());
        properties.put(org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return org.apache.kafka.clients.admin.Admin.create(properties);
    }

    /** The PostgreSQL copy of the journal that serves account history, as in {@code make run}. */
    public void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(layout.postgresPort())
                .setDataDirectory(home.resolve("postgres")).setCleanDataDirectory(true)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .start();
    }

    /** The sinks in a standalone Connect worker, as in {@code make run}; after a processor has created the topics. */
    public void startConnect() throws IOException, InterruptedException {
        if (acquirer == null) {
            // What the acquirer connector charges card top-ups at: 80% approved, answers in 20 ms, a tok_timeout
            // charge answered after 3 s once (past the connector's timeout).
            acquirer = io.paystream.acquirer.AcquirerSimulator.start(new io.paystream.acquirer.AcquirerSimulator
                    .Settings(layout.acquirerPort(), 0.8, java.time.Duration.ofMillis(20),
                    java.time.Duration.ofSeconds(3), home.resolve("acquirer/charges.jsonl"), 42));
        }
        connect = ConnectWorker.start(layout, telemetry.jvmArgs("connect"));
        ConnectWorker.awaitRunning(connect, layout, START);
    }

    /** The acquirer simulator that card top-ups are charged at, or null before {@link #startConnect()}. */
    public io.paystream.acquirer.AcquirerSimulator acquirer() {
        return acquirer;
    }

    /** {@code kill -9} of every broker (the only one, on a one-node stack). */
    public void killBroker() throws InterruptedException {
        for (int node = 0; node < brokers.length; node++) {
            killBroker(node);
        }
    }

    /** {@code kill -9} of broker {@code node}. */
    public void killBroker(int node) throws InterruptedException {
        if (brokers[node] != null) {
            brokers[node].kill();
        }
    }

    /** A clean stop (SIGTERM) of broker {@code node}: it hands its leaderships over first. */
    public void stopBroker(int node) throws InterruptedException {
        if (brokers[node] != null) {
            brokers[node].stop();
        }
    }

    /** Starts processor {@code instance}; waits for its health check when {@code await} is set. */
    public void startProcessor(int instance, boolean await) throws IOException, InterruptedException {
        startProcessor(instance, await, options);
    }

    /** Starts processor {@code instance} with other options than the cluster's (a sweep of settings). */
    public void startProcessor(int instance, boolean await, Options options) throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.put("PAYSTREAM_PROCESSOR_PORT", String.valueOf(processorPorts[instance]));
        environment.put("PAYSTREAM_PROCESSOR_ADMIN_PORT", String.valueOf(processorAdminPorts[instance]));
        environment.put("PAYSTREAM_APPLICATION_SERVER", "127.0.0.1:" + processorPorts[instance]);
        environment.put("PAYSTREAM_STATE_DIR", stateDir(instance).toString());
        environment.put("PAYSTREAM_COMMIT_INTERVAL_MS", String.valueOf(options.commitIntervalMs()));
        environment.put("PAYSTREAM_STREAM_THREADS", String.valueOf(options.streamThreads()));
        environment.put("PAYSTREAM_PARTITIONS", String.valueOf(options.partitions()));
        environment.put("PAYSTREAM_STANDBY_REPLICAS", "1");
        environment.put("PAYSTREAM_REPLICATION_FACTOR", String.valueOf(layout.replicationFactor()));
        environment.put("PAYSTREAM_STALL_TIMEOUT", options.stallTimeout());
        environment.put("PAYSTREAM_INGRESS_URL", "http://127.0.0.1:" + layout.ingressPort());
        // The chaos readers and the benchmark's lookups run thousands of queries a second with one key: the query
        // API's per-key limit is not what they measure.
        environment.put("PAYSTREAM_QUERY_RATE_LIMIT_PER_SECOND", "1000000");
        environment.put("PAYSTREAM_QUERY_RATE_LIMIT_BURST", "1000000");
        processors[instance] = app("processor-" + instance, "streams-processor",
                "io.paystream.processor.ProcessorApplication", environment, options.processorHeap(),
                List.of("-Ddw.database.driverClass=org.postgresql.Driver", "-Ddw.database.url=" + layout.jdbcUrl(),
                        "-Ddw.database.user=postgres"));
        if (await) {
            processors[instance].awaitHealthy(processorAdminPorts[instance], START);
        }
    }

    /** {@code kill -9} of the Connect worker: its sinks and the acquirer connector stop wherever they were. */
    public void killConnect() throws InterruptedException {
        connect.kill();
    }

    public void killProcessor(int instance) throws InterruptedException {
        processors[instance].kill();
        processors[instance] = null;
    }

    public void stopProcessor(int instance) throws InterruptedException {
        processors[instance].stop();
        processors[instance] = null;
    }

    public boolean isRunning(int instance) {
        return processors[instance] != null && processors[instance].isAlive();
    }

    /** The operating-system process of a running processor (for its RSS), or null. */
    public ProcessHandle processorHandle(int instance) {
        return processors[instance] == null ? null : processors[instance].process().toHandle();
    }

    public ProcessHandle ingressHandle() {
        return ingress == null ? null : ingress.process().toHandle();
    }

    /** Every running process of the stack by name; {@code postgres} is the postmaster (its backends: its children). */
    public Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> handles = new LinkedHashMap<>();
        List<ChildProcess> children = new ArrayList<>(java.util.Arrays.asList(brokers));
        children.add(ingress);
        children.add(connect);
        for (ChildProcess child : children) {
            if (child != null && child.isAlive()) {
                handles.put(child.name(), child.process().toHandle());
            }
        }
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (isRunning(i)) {
                handles.put("processor-" + i, processors[i].process().toHandle());
            }
        }
        postmaster().ifPresent(handle -> handles.put("postgres", handle));
        return handles;
    }

    /** PostgreSQL's postmaster (its backends are its children), from the pid file in its data directory. */
    private Optional<ProcessHandle> postmaster() {
        try {
            Path pidFile = home.resolve("postgres/postmaster.pid");
            if (postgres == null || !Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Processors that exited although no fault stopped them (a crash in the JVM, a stall that gave up), in words. */
    public List<String> unexpectedExits() {
        List<String> exits = new ArrayList<>();
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (processors[i] != null && !processors[i].isAlive()) {
                exits.add("processor-" + i + " exited on its own with code " + processors[i].process().exitValue()
                        + "; see " + layout.logs().resolve("processor-" + i + ".log"));
            }
        }
        return exits;
    }

    public List<Integer> runningProcessors() {
        List<Integer> running = new ArrayList<>();
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (isRunning(i)) {
                running.add(i);
            }
        }
        return running;
    }

    public void startIngress() throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.put("PAYSTREAM_INGRESS_PORT", String.valueOf(layout.ingressPort()));
        environment.put("PAYSTREAM_INGRESS_ADMIN_PORT", String.valueOf(layout.ingressAdminPort()));
        environment.put("PAYSTREAM_RATE_LIMIT_PER_SECOND", String.valueOf(options.ingressRateLimit()));
        environment.put("PAYSTREAM_RATE_LIMIT_BURST", String.valueOf(options.ingressRateLimit()));
        // Capture and void look payments up there; the first processor forwards to whichever instance owns one.
        environment.put("PAYSTREAM_QUERY_API_URL", "http://127.0.0.1:" + processorPorts[0]);
        List<String> origins = new ArrayList<>();
        for (int port : processorPorts) {
            origins.add("http://127.0.0.1:" + port);
        }
        // The console the processors serve sends its writes here.
        environment.put("PAYSTREAM_CONSOLE_ORIGINS", String.join(", ", origins));
        ingress = app("ingress", "ingress-api", "io.paystream.ingress.IngressApplication", environment, "256m",
                List.of());
        ingress.awaitHealthy(layout.ingressAdminPort(), START);
    }

    /** True when every running processor answers its health check with 200. */
    public boolean processorsHealthy() {
        List<Integer> running = runningProcessors();
        if (running.isEmpty()) {
            return false;
        }
        for (int instance : running) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(adminUrl(instance)
                        + "/healthcheck")).timeout(Duration.ofSeconds(3)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 200) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private ChildProcess app(String name, String module, String mainClass, Map<String, String> environment,
            String heap, List<String> overrides) throws IOException {
        Path target = root.resolve(module).resolve("target");
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC"));
        if (options.quickJit()) {
            jvmArgs.add("-XX:TieredStopAtLevel=1");
        }
        jvmArgs.addAll(telemetry.jvmArgs(name));
        jvmArgs.addAll(overrides);
        environment = new HashMap<>(environment);
        environment.putAll(StackLayout.LOCAL_PROFILE);
        return ChildProcess.start(name, root, layout.logs().resolve(name + ".log"),
                target.resolve(module + "-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*", jvmArgs, mainClass,
                List.of("server", root.resolve(module).resolve("config.yml").toString()), environment);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops the apps, then the broker and PostgreSQL, with SIGTERM; the logs stay for whoever reads them. */
    @Override
    public void close() {
        try {
            if (connect != null) {
                connect.stop();
            }
            if (acquirer != null) {
                acquirer.close();
            }
            if (ingress != null) {
                ingress.stop();
            }
            for (int i = 0; i < MAX_PROCESSORS; i++) {
                if (processors[i] != null) {
                    processors[i].stop();
                }
            }
            List<ChildProcess> running = new ArrayList<>();
            for (ChildProcess broker : brokers) {
                if (broker != null) {
                    running.add(broker);
                }
            }
            ChildProcess.stopTogether(running);
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the local cluster's PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the local cluster", e);
        }
    }
}
