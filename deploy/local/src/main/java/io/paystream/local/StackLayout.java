package io.paystream.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where the local stack lives and which loopback ports it uses. Everything has a default that fits one developer
 * machine, and each can be changed through the environment (tests run the stack on other ports and directories).
 *
 * @param root the repository root, where the apps' {@code target/} directories and configs are
 * @param home the data directory ({@code .paystream}, or {@code .paystream-cluster} for several brokers), kept across
 *     runs
 * @param brokers each KRaft node's client and controller ports: one node, or a cluster of three (or up to five)
 * @param processorPort the first processor's query API; the next processors' are 2, 4... above
 * @param processorAdminPort the first processor's health and metrics; the next processors' are 2, 4... above
 * @param ingressPort the ingress API
 * @param ingressAdminPort the ingress's health and metrics
 * @param postgresPort the embedded PostgreSQL that holds the journal's copy
 * @param connectPort the Connect worker's REST API
 * @param smtpPort the embedded SMTP server that takes the email sink's messages
 * @param acquirerPort the acquirer simulator that card top-ups are charged against
 */
public record StackLayout(Path root, Path home, List<BrokerPorts> brokers, int processorPort,
        int processorAdminPort, int ingressPort, int ingressAdminPort, int postgresPort, int connectPort,
        int smtpPort, int acquirerPort) {

    /** The most brokers a local cluster runs: a KRaft quorum of five combined nodes. */
    public static final int BROKERS_MAX = 5;

    /**
     * The environment that lets an app start with the public {@code local-dev-key}: the local stack is the one place
     * where it is allowed, and saying so is explicit (the apps' configs default to the production profile).
     */
    public static final Map<String, String> LOCAL_PROFILE = Map.of("PAYSTREAM_PROFILE", "local");

    /**
     * One KRaft node's loopback ports.
     *
     * @param kafkaPort clients connect here
     * @param controllerPort the KRaft quorum talks here
     */
    public record BrokerPorts(int kafkaPort, int controllerPort) {
    }

    public StackLayout {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(home, "home");
        brokers = List.copyOf(brokers);
        if (brokers.isEmpty() || brokers.size() > BROKERS_MAX) {
            throw new IllegalArgumentException("a local stack runs 1 to " + BROKERS_MAX + " brokers, not "
                    + brokers.size());
        }
    }

    /** A layout with one broker. */
    public StackLayout(Path root, Path home, int kafkaPort, int controllerPort, int processorPort,
            int processorAdminPort, int ingressPort, int ingressAdminPort, int postgresPort, int connectPort,
            int smtpPort, int acquirerPort) {
        this(root, home, List.of(new BrokerPorts(kafkaPort, controllerPort)), processorPort, processorAdminPort,
                ingressPort, ingressAdminPort, postgresPort, connectPort, smtpPort, acquirerPort);
    }

    /**
     * Reads the layout from the environment, with the documented defaults. {@code PAYSTREAM_BROKERS} (1 by default)
     * brokers listen on {@code PAYSTREAM_KAFKA_PORT} and 100, 200... above it, their controllers on
     * {@code PAYSTREAM_KAFKA_CONTROLLER_PORT} and 100, 200... above; a cluster keeps its data apart, in
     * {@code .paystream-cluster}, unless {@code PAYSTREAM_HOME} says otherwise.
     */
    public static StackLayout fromEnvironment(Function<String, String> environment) {
        int brokers = count(environment, "PAYSTREAM_BROKERS", 1, BROKERS_MAX);
        Path root = Path.of(valueOr(environment, "PAYSTREAM_ROOT", ".")).toAbsolutePath().normalize();
        Path home = root.resolve(valueOr(environment, "PAYSTREAM_HOME",
                brokers == 1 ? ".paystream" : ".paystream-cluster")).toAbsolutePath().normalize();
        int kafkaPort = port(environment, "PAYSTREAM_KAFKA_PORT", 9092);
        int controllerPort = port(environment, "PAYSTREAM_KAFKA_CONTROLLER_PORT", 9093);
        List<BrokerPorts> nodes = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            if (Math.max(kafkaPort, controllerPort) + 100 * i > 65_535) {
                throw new IllegalArgumentException("PAYSTREAM_KAFKA_PORT and PAYSTREAM_KAFKA_CONTROLLER_PORT plus 100 "
                        + "per broker must stay below 65536 for " + brokers + " brokers");
            }
            nodes.add(new BrokerPorts(kafkaPort + 100 * i, controllerPort + 100 * i));
        }
        return new StackLayout(root, home, nodes,
                port(environment, "PAYSTREAM_PROCESSOR_PORT", 8090),
                port(environment, "PAYSTREAM_PROCESSOR_ADMIN_PORT", 8091),
                port(environment, "PAYSTREAM_INGRESS_PORT", 8080),
                port(environment, "PAYSTREAM_INGRESS_ADMIN_PORT", 8081),
                // Not 5432 and 8083, so that a PostgreSQL or Connect already on this machine does not clash.
                port(environment, "PAYSTREAM_POSTGRES_PORT", 15432),
                port(environment, "PAYSTREAM_CONNECT_PORT", 18083),
                port(environment, "PAYSTREAM_SMTP_PORT", 13025),
                port(environment, "PAYSTREAM_ACQUIRER_PORT", 18095));
    }

    /** How many processor instances the stack runs: one beside one broker, two beside a cluster. */
    public int processors() {
        return brokers.size() == 1 ? 1 : 2;
    }

    /** Processor {@code instance}'s query API port. */
    public int processorPort(int instance) {
        return processorPort + 2 * instance;
    }

    /** Processor {@code instance}'s admin port. */
    public int processorAdminPort(int instance) {
        return processorAdminPort + 2 * instance;
    }

    /** Every port with the name of its user, in start order, for the "port taken" check. */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < brokers.size(); i++) {
            String node = brokers.size() == 1 ? "" : " " + (i + 1) + " (100 per node above)";
            ports.put("Kafka" + node + " (PAYSTREAM_KAFKA_PORT)", brokers.get(i).kafkaPort());
            ports.put("Kafka controller" + node + " (PAYSTREAM_KAFKA_CONTROLLER_PORT)", brokers.get(i).controllerPort());
        }
        for (int i = 0; i < processors(); i++) {
            String instance = i == 0 ? "" : " " + i + " (2 above the first)";
            ports.put("processor query API" + instance + " (PAYSTREAM_PROCESSOR_PORT)", processorPort(i));
            ports.put("processor admin" + instance + " (PAYSTREAM_PROCESSOR_ADMIN_PORT)", processorAdminPort(i));
        }
        ports.put("ingress API (PAYSTREAM_INGRESS_PORT)", ingressPort);
        ports.put("ingress admin (PAYSTREAM_INGRESS_ADMIN_PORT)", ingressAdminPort);
        ports.put("PostgreSQL (PAYSTREAM_POSTGRES_PORT)", postgresPort);
        ports.put("Connect worker (PAYSTREAM_CONNECT_PORT)", connectPort);
        ports.put("SMTP server (PAYSTREAM_SMTP_PORT)", smtpPort);
        ports.put("acquirer simulator (PAYSTREAM_ACQUIRER_PORT)", acquirerPort);
        return ports;
    }

    /** Where the local SMTP server writes each message it receives, as a {@code .eml} file. */
    public Path mail() {
        return home.resolve("mail");
    }

    public Path logs() {
        return home.resolve("logs");
    }

    /** The data directory of broker {@code node} (0-based): {@code kafka/} alone, {@code kafka/node-N/} in a cluster. */
    public Path kafkaDir(int node) {
        return brokers.size() == 1 ? home.resolve("kafka") : home.resolve("kafka").resolve("node-" + (node + 1));
    }

    /** The JDBC URL of the local stack's PostgreSQL. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    /** Every broker's address, for clients. */
    public String bootstrapServers() {
        return brokers.stream().map(node -> "127.0.0.1:" + node.kafkaPort()).collect(Collectors.joining(","));
    }

    /** The first broker's client port. */
    public int kafkaPort() {
        return brokers.get(0).kafkaPort();
    }

    /**
     * The replication of every PayStream topic, internal topic and the broker's own (offsets, transactions): three
     * on a cluster (or one on one broker), and a write needs two in sync.
     */
    public int replicationFactor() {
        return Math.min(3, brokers.size());
    }

    private static String valueOr(Function<String, String> environment, String name, String fallback) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int count(Function<String, String> environment, String name, int fallback, int max) {
        String value = valueOr(environment, name, String.valueOf(fallback));
        try {
            int count = Integer.parseInt(value);
            if (count < 1 || count > max) {
                throw new NumberFormatException();
            }
            return count;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be 1 to " + max + ", not '" + value + "'", e);
        }
    }

    private static int port(Function<String, String> environment, String name, int fallback) {
        String value = valueOr(environment, name, String.valueOf(fallback));
        try {
            return checked(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'", e);
        }
    }

    private static int checked(int port) {
        if (port < 1 || port > 65_535) {
            throw new NumberFormatException("port " + port + " is out of range");
        }
        return port;
    }
}
