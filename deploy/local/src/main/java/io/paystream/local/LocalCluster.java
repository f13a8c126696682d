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
import java.util.concurrent.TimeUnit;

/**
 * The one code that starts PayStream's processes: a KRaft broker (or a cluster of three, every topic with three
 * replicas and two in sync to write), up to three processor instances (each with its own state dir and ports), the
 * ingress, PostgreSQL, the acquirer simulator, the SMTP catcher and the sinks in a Connect worker, each a separate
 * process on loopback, from the built modules. {@code make run} and {@code make cluster} ({@link LocalStack}, which
 * adds the command line, the banner and supervision), the chaos harness, the benchmark and the tests all drive it;
 * faults are real signals: SIGKILL for crashes, SIGTERM for clean stops.
 */
public final class LocalCluster implements AutoCloseable {
    public static final int MAX_PROCESSORS = 3;
    private static final Duration START = Duration.ofMinutes(2);

    /**
     * How the apps are configured. A zero (or null) leaves the apps' {@code config.yml} default, as {@code make run}
     * does; the chaos harness and the benchmark set their own.
     *
     * @param commitIntervalMs the processors' commit interval
     * @param streamThreads stream threads per processor
     * @param partitions partitions of the co-partitioned topics
     * @param stallTimeout the processors' stall timeout (e.g. {@code 45s})
     * @param ingressRateLimit the ingress's requests per second (and burst); also lifts the query API's per-key limit,
     *     which load that uses one key must not be what it measures
     * @param telemetry whether to attach the OpenTelemetry agent (exporting nothing), to price it; {@code make run}
     *     attaches it only when traces are exported ({@link Telemetry})
     * @param processorHeap the processors' maximum heap (e.g. {@code 384m})
     * @param quickJit C1 only ({@code -XX:TieredStopAtLevel=1}): quicker starts and less CPU for tests, slower code
     */
    public record Options(long commitIntervalMs, int streamThreads, int partitions, String stallTimeout,
            int ingressRateLimit, boolean telemetry, String processorHeap, boolean quickJit) {
        /** {@code make run}'s: every setting as the apps' config files have it; the launcher chooses the agent. */
        public static Options makeRun() {
            return new Options(0, 0, 0, null, 0, true, "512m", false);
        }

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
    private final ChildProcess[] processors = new ChildProcess[MAX_PROCESSORS];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ChildProcess[] brokers;
    private ChildProcess ingress;
    private ChildProcess connect;
    private io.paystream.acquirer.AcquirerSimulator acquirer;
    private MailServer mail;
    private EmbeddedPostgres postgres;

    /**
     * A stack on free loopback ports with one broker.
     *
     * @param root the repository root (where the modules' {@code target/} directories are)
     * @param home where data and logs go
     */
    public LocalCluster(Path root, Path home, Options options) {
        this(root, home, options, 1);
    }

    /** A stack on free loopback ports with {@code brokerCount} KRaft nodes (1, or 3 for a replicated cluster). */
    public LocalCluster(Path root, Path home, Options options, int brokerCount) {
        this(freeLayout(root.toAbsolutePath().normalize(), home.toAbsolutePath().normalize(), brokerCount), options,
                options.telemetry() ? Telemetry.attachedExportingNothing(root.toAbsolutePath().normalize(),
                        "agent attached, exporting nothing") : Telemetry.off("off"));
    }

    /** A stack on {@code layout}'s ports and directories, as {@code make run} reads them from the environment. */
    public LocalCluster(StackLayout layout, Options options, Telemetry telemetry) {
        this.layout = layout;
        this.root = layout.root();
        // Absolute: the children run in the repository root, the caller perhaps elsewhere (a module's directory).
        this.home = layout.home();
        this.options = options;
        this.telemetry = telemetry;
        this.brokers = new ChildProcess[layout.brokers().size()];
    }

    /**
     * Free loopback ports for every process. Processor {@code i}'s ports are 2i above the first's, as in
     * {@link StackLayout}, so each run of three must be free.
     */
    private static StackLayout freeLayout(Path root, Path home, int brokerCount) {
        List<StackLayout.BrokerPorts> nodes = new ArrayList<>();
        for (int i = 0; i < brokerCount; i++) {
            nodes.add(new StackLayout.BrokerPorts(freePort(), freePort()));
        }
        int[] processorPorts = freeRun(2 * MAX_PROCESSORS);
        return new StackLayout(root, home, nodes, processorPorts[0], processorPorts[1], freePort(), freePort(),
                freePort(), freePort(), freePort(), freePort());
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

    public StackLayout layout() {
        return layout;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public String queryUrl(int instance) {
        return "http://127.0.0.1:" + layout.processorPort(instance);
    }

    public String adminUrl(int instance) {
        return "http://127.0.0.1:" + layout.processorAdminPort(instance);
    }

    /** The processors' Kafka Streams application id (streams-processor/config.yml's default): their group. */
    static final String APPLICATION_ID = "paystream-processor";

    /** Processor {@code instance}'s process and log name: {@code processor-1} for the first. */
    public static String processorName(int instance) {
        return "processor-" + (instance + 1);
    }

    public Path logs() {
        return layout.logs();
    }

    public Path stateDir(int instance) {
        return home.resolve("state").resolve(processorName(instance));
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
        // The launcher's own runtime classpath: the broker and slf4j-simple, no test jars.
        Path target = root.resolve("deploy/local/target");
        requireBuilt(target.resolve("local-stack-0.1.0-SNAPSHOT.jar"), target.resolve("lib"));
        brokers[node] = Broker.start(layout, node, target.resolve("local-stack-0.1.0-SNAPSHOT.jar") + ":"
                + target.resolve("lib") + "/*", telemetry.jvmArgs(Broker.name(layout, node)));
    }

    private static void requireBuilt(Path jar, Path lib) {
        if (!Files.exists(jar) || !Files.isDirectory(lib)) {
            throw new IllegalStateException(jar + " is missing: build first (`make build`, which `make run` does)");
        }
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

    /** The PostgreSQL copy of the journal that serves account history, on a fresh data directory. */
    public void startPostgres() throws IOException {
        startPostgres(false);
    }

    /** PostgreSQL; {@code keepData}: on the data of the last run ({@code make run}), else on a fresh directory. */
    public void startPostgres(boolean keepData) throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(layout.postgresPort())
                .setDataDirectory(home.resolve("postgres")).setCleanDataDirectory(!keepData)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .start();
    }

    /** The acquirer simulator that the acquirer connector charges card top-ups at. */
    public io.paystream.acquirer.AcquirerSimulator startAcquirer(io.paystream.acquirer.AcquirerSimulator.Settings
            settings) throws IOException {
        acquirer = io.paystream.acquirer.AcquirerSimulator.start(settings);
        return acquirer;
    }

    /** The SMTP server that takes the email sink's messages and writes each to {@link StackLayout#mail()}. */
    public void startMail() throws IOException {
        mail = MailServer.start(layout.smtpPort(), layout.mail());
    }

    /**
     * The sinks in a standalone Connect worker, after a processor has created the topics; with the tests' acquirer
     * (80% approved, answers in 20 ms, a tok_timeout charge answered after 3 s once, past the connector's timeout)
     * unless one was started.
     */
    public void startConnect() throws IOException, InterruptedException {
        if (acquirer == null) {
            startAcquirer(new io.paystream.acquirer.AcquirerSimulator.Settings(layout.acquirerPort(), 0.8,
                    java.time.Duration.ofMillis(20), java.time.Duration.ofSeconds(3),
                    home.resolve("acquirer/charges.jsonl"), 42));
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
        environment.put("PAYSTREAM_PROCESSOR_PORT", String.valueOf(layout.processorPort(instance)));
        environment.put("PAYSTREAM_PROCESSOR_ADMIN_PORT", String.valueOf(layout.processorAdminPort(instance)));
        environment.put("PAYSTREAM_APPLICATION_SERVER", "127.0.0.1:" + layout.processorPort(instance));
        environment.put("PAYSTREAM_STATE_DIR", stateDir(instance).toString());
        // A static member: a processor that dies is removed from the group by this launcher at once
        // (releaseDeadProcessor), and its tasks move to the standby without waiting for the session to time out.
        environment.put("PAYSTREAM_GROUP_INSTANCE_ID", processorName(instance));
        putIfSet(environment, "PAYSTREAM_COMMIT_INTERVAL_MS", options.commitIntervalMs());
        putIfSet(environment, "PAYSTREAM_STREAM_THREADS", options.streamThreads());
        putIfSet(environment, "PAYSTREAM_PARTITIONS", options.partitions());
        // A warm copy of every store on another instance, so that one can take over at once.
        environment.put("PAYSTREAM_STANDBY_REPLICAS", "1");
        environment.put("PAYSTREAM_REPLICATION_FACTOR", String.valueOf(layout.replicationFactor()));
        if (options.stallTimeout() != null) {
            environment.put("PAYSTREAM_STALL_TIMEOUT", options.stallTimeout());
        }
        environment.put("PAYSTREAM_INGRESS_URL", "http://127.0.0.1:" + layout.ingressPort());
        if (options.ingressRateLimit() > 0) {
            // The chaos readers and the benchmark's lookups run thousands of queries a second with one key: the
            // query API's per-key limit is not what they measure.
            environment.put("PAYSTREAM_QUERY_RATE_LIMIT_PER_SECOND", "1000000");
            environment.put("PAYSTREAM_QUERY_RATE_LIMIT_BURST", "1000000");
        }
        processors[instance] = app(processorName(instance), "processor", "streams-processor",
                "io.paystream.processor.ProcessorApplication", environment, options.processorHeap(),
                List.of("-Ddw.database.driverClass=org.postgresql.Driver", "-Ddw.database.url=" + layout.jdbcUrl(),
                        "-Ddw.database.user=postgres"));
        if (await) {
            processors[instance].awaitHealthy(layout.processorAdminPort(instance), START);
        }
    }

    /** {@code kill -9} of the Connect worker: its sinks and the acquirer connector stop wherever they were. */
    private static void putIfSet(Map<String, String> environment, String name, long value) {
        if (value > 0) {
            environment.put(name, String.valueOf(value));
        }
    }

    public void killConnect() throws InterruptedException {
        connect.kill();
    }

    public void killProcessor(int instance) throws InterruptedException {
        processors[instance].kill();
        processors[instance] = null;
        releaseDeadProcessor(instance);
    }

    /**
     * What a supervisor does when a processor dies, so that the survivors take over in seconds: it fences the dead
     * instance's transactions, which aborts the one it left open (otherwise it holds back every read_committed reader
     * of the partitions it wrote, restoring standbys included, until its timeout), and removes its static members
     * from the Streams group, which then rebalances at once instead of after the session timeout. Best effort, each
     * within 5 s: with the brokers down too, the transaction and session timeouts still end both.
     */
    public void releaseDeadProcessor(int instance) {
        try (org.apache.kafka.clients.admin.Admin admin = admin()) {
            fenceTransactions(admin, instance);
            removeFromGroup(admin, instance);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | IOException e) {
            // the timeouts end them instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Fences the transactional ids of the instance's stream threads ({@code <application id>-<process id>-<n>},
     * the process id from its state directory): a new epoch aborts the transaction the dead instance left open.
     */
    private void fenceTransactions(org.apache.kafka.clients.admin.Admin admin, int instance)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
            InterruptedException, IOException {
        Path metadata = stateDir(instance).resolve(APPLICATION_ID).resolve("kafka-streams-process-metadata");
        if (!Files.exists(metadata)) {
            return;
        }
        java.util.regex.Matcher processId = java.util.regex.Pattern.compile("\"processId\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(Files.readString(metadata));
        if (!processId.find()) {
            return;
        }
        String prefix = APPLICATION_ID + "-" + processId.group(1) + "-";
        List<String> ids = admin.listTransactions().all().get(5, TimeUnit.SECONDS).stream()
                .map(org.apache.kafka.clients.admin.TransactionListing::transactionalId)
                .filter(id -> id.startsWith(prefix)).toList();
        if (!ids.isEmpty()) {
            admin.fenceProducers(ids).all().get(5, TimeUnit.SECONDS);
        }
    }

    /** Removes the instance's static members ({@code processor-N-<thread>}) from the Streams group. */
    private static void removeFromGroup(org.apache.kafka.clients.admin.Admin admin, int instance)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
            InterruptedException {
        String name = processorName(instance);
        var group = admin.describeConsumerGroups(List.of(APPLICATION_ID)).all().get(5, TimeUnit.SECONDS)
                .get(APPLICATION_ID);
        List<org.apache.kafka.clients.admin.MemberToRemove> members = group.members().stream()
                .map(member -> member.groupInstanceId().orElse(""))
                .filter(id -> id.equals(name) || id.startsWith(name + "-"))
                .map(org.apache.kafka.clients.admin.MemberToRemove::new).toList();
        if (!members.isEmpty()) {
            admin.removeMembersFromConsumerGroup(APPLICATION_ID,
                    new org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions(members)).all()
                    .get(5, TimeUnit.SECONDS);
        }
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
                handles.put(processorName(i), processors[i].process().toHandle());
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
                exits.add(processorName(i) + " exited on its own with code " + processors[i].process().exitValue()
                        + "; see " + layout.logs().resolve(processorName(i) + ".log"));
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

    /** Starts the ingress and waits until it is healthy. */
    public void startIngress() throws IOException, InterruptedException {
        launchIngress();
        ingress.awaitHealthy(layout.ingressAdminPort(), START);
    }

    /** Starts the ingress without waiting: {@link #awaitIngress()} does, so that it can start beside a processor. */
    public void launchIngress() throws IOException {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.put("PAYSTREAM_INGRESS_PORT", String.valueOf(layout.ingressPort()));
        environment.put("PAYSTREAM_INGRESS_ADMIN_PORT", String.valueOf(layout.ingressAdminPort()));
        if (options.ingressRateLimit() > 0) {
            environment.put("PAYSTREAM_RATE_LIMIT_PER_SECOND", String.valueOf(options.ingressRateLimit()));
            environment.put("PAYSTREAM_RATE_LIMIT_BURST", String.valueOf(options.ingressRateLimit()));
        }
        // Capture, void and refund look payments up there; the first processor forwards to whichever owns one.
        environment.put("PAYSTREAM_QUERY_API_URL", queryUrl(0));
        List<String> origins = new ArrayList<>();
        for (int instance = 0; instance < MAX_PROCESSORS; instance++) {
            origins.add("http://127.0.0.1:" + layout.processorPort(instance));
            origins.add("http://localhost:" + layout.processorPort(instance));
        }
        // The console the processors serve sends its writes here.
        environment.put("PAYSTREAM_CONSOLE_ORIGINS", String.join(", ", origins));
        ingress = app("ingress", "ingress", "ingress-api", "io.paystream.ingress.IngressApplication", environment,
                "256m", List.of());
    }

    /** Waits until processor {@code instance} is healthy. */
    public void awaitProcessor(int instance) throws InterruptedException {
        processors[instance].awaitHealthy(layout.processorAdminPort(instance), START);
    }

    /** Waits until the ingress is healthy. */
    public void awaitIngress() throws InterruptedException {
        ingress.awaitHealthy(layout.ingressAdminPort(), START);
    }

    /**
     * Every child process the stack started, by name, in start order: the brokers, the processors, the ingress and
     * Connect. A supervisor watches them for exits.
     */
    public Map<String, ChildProcess> children() {
        Map<String, ChildProcess> children = new LinkedHashMap<>();
        for (ChildProcess broker : brokers) {
            if (broker != null) {
                children.put(broker.name(), broker);
            }
        }
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (processors[i] != null) {
                children.put(processors[i].name(), processors[i]);
            }
        }
        if (ingress != null) {
            children.put(ingress.name(), ingress);
        }
        if (connect != null) {
            children.put(connect.name(), connect);
        }
        return children;
    }

    /** Starts the broker or processor named {@code name} again, without waiting (a supervisor's restart). */
    public void restart(String name) throws IOException, InterruptedException {
        for (int node = 0; node < brokers.length; node++) {
            if (Broker.name(layout, node).equals(name)) {
                launchBroker(node);
                return;
            }
        }
        for (int instance = 0; instance < MAX_PROCESSORS; instance++) {
            if (processorName(instance).equals(name)) {
                startProcessor(instance, false);
                return;
            }
        }
        throw new IllegalArgumentException(name + " is neither a broker nor a processor");
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

    /**
     * Starts one app's JVM.
     *
     * @param name the process's and its log's name ({@code processor-2})
     * @param service the app's name in traces ({@code processor}), the same for every instance
     */
    private ChildProcess app(String name, String service, String module, String mainClass,
            Map<String, String> environment, String heap, List<String> overrides) throws IOException {
        Path target = root.resolve(module).resolve("target");
        requireBuilt(target.resolve(module + "-0.1.0-SNAPSHOT.jar"), target.resolve("lib"));
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC"));
        if (options.quickJit()) {
            jvmArgs.add("-XX:TieredStopAtLevel=1");
        }
        jvmArgs.addAll(telemetry.jvmArgs(service));
        jvmArgs.addAll(overrides);
        environment = new HashMap<>(environment);
        environment.putAll(StackLayout.LOCAL_PROFILE);
        return ChildProcess.start(name, root, layout.logs().resolve(name + ".log"),
                target.resolve(module + "-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*", jvmArgs, mainClass,
                List.of("server", root.resolve(module).resolve("config.yml").toString()), environment);
    }

    /** {@code count} consecutive free loopback ports, the first of them even. */
    private static int[] freeRun(int count) {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20_000 + 2 * random.nextInt(20_000);
            int[] ports = new int[count];
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                ports[i] = first + i;
                try (ServerSocket socket = new ServerSocket(ports[i], 1, InetAddress.getLoopbackAddress())) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return ports;
            }
        }
        throw new IllegalStateException("no run of " + count + " free loopback ports");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops the apps, then the brokers and PostgreSQL, with SIGTERM; the logs stay for whoever reads them. */
    @Override
    public void close() {
        stop(name -> { });
    }

    /**
     * Stops everything, the apps before the brokers so that they can commit and close cleanly, telling
     * {@code progress} the name of each process it stops. Idempotent.
     */
    public synchronized void stop(java.util.function.Consumer<String> progress) {
        try {
            List<ChildProcess> apps = new ArrayList<>(children().values());
            java.util.Collections.reverse(apps);
            for (ChildProcess app : apps) {
                if (!app.name().startsWith("kafka") && app.isAlive()) {
                    progress.accept(app.name());
                    app.stop();
                }
            }
            List<ChildProcess> running = new ArrayList<>();
            for (ChildProcess broker : brokers) {
                if (broker != null && broker.isAlive()) {
                    progress.accept(broker.name());
                    running.add(broker);
                }
            }
            ChildProcess.stopTogether(running);
            if (acquirer != null) {
                progress.accept("acquirer");
                acquirer.close();
                acquirer = null;
            }
            if (mail != null) {
                progress.accept("mail");
                mail.close();
                mail = null;
            }
            if (postgres != null) {
                progress.accept("postgres");
                postgres.close();
                postgres = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the local cluster's PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the local cluster", e);
        }
    }
}
