package io.paystream.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the local stack lives and which loopback ports it uses. Everything has a default that fits one developer
 * machine, and each can be changed through the environment (tests run the stack on other ports and directories).
 *
 * @param root the repository root, where the apps' {@code target/} directories and configs are
 * @param home the data directory ({@code .paystream}), kept across runs
 * @param kafkaPort the broker's client port
 * @param controllerPort the broker's KRaft controller port
 * @param processorPort the query API
 * @param processorAdminPort the processor's health and metrics
 * @param ingressPort the ingress API
 * @param ingressAdminPort the ingress's health and metrics
 * @param postgresPort the embedded PostgreSQL that holds the journal's copy
 * @param connectPort the Connect worker's REST API
 */
public record StackLayout(Path root, Path home, int kafkaPort, int controllerPort, int processorPort,
        int processorAdminPort, int ingressPort, int ingressAdminPort, int postgresPort, int connectPort) {

    /**
     * The environment that lets an app start with the public {@code local-dev-key}: the local stack is the one place
     * where it is allowed, and saying so is explicit (the apps' configs default to the production profile).
     */
    public static final Map<String, String> LOCAL_PROFILE = Map.of("PAYSTREAM_PROFILE", "local");

    public StackLayout {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(home, "home");
    }

    /** Reads the layout from the environment, with the documented defaults. */
    public static StackLayout fromEnvironment(Function<String, String> environment) {
        Path root = Path.of(valueOr(environment, "PAYSTREAM_ROOT", ".")).toAbsolutePath().normalize();
        Path home = root.resolve(valueOr(environment, "PAYSTREAM_HOME", ".paystream")).toAbsolutePath().normalize();
        return new StackLayout(root, home,
                port(environment, "PAYSTREAM_KAFKA_PORT", 9092),
                port(environment, "PAYSTREAM_KAFKA_CONTROLLER_PORT", 9093),
                port(environment, "PAYSTREAM_PROCESSOR_PORT", 8090),
                port(environment, "PAYSTREAM_PROCESSOR_ADMIN_PORT", 8091),
                port(environment, "PAYSTREAM_INGRESS_PORT", 8080),
                port(environment, "PAYSTREAM_INGRESS_ADMIN_PORT", 8081),
                // Not 5432 and 8083, so that a PostgreSQL or Connect already on this machine does not clash.
                port(environment, "PAYSTREAM_POSTGRES_PORT", 15432),
                port(environment, "PAYSTREAM_CONNECT_PORT", 18083));
    }

    /** Every port with the name of its user, in start order, for the "port taken" check. */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Kafka (PAYSTREAM_KAFKA_PORT)", kafkaPort);
        ports.put("Kafka controller (PAYSTREAM_KAFKA_CONTROLLER_PORT)", controllerPort);
        ports.put("processor query API (PAYSTREAM_PROCESSOR_PORT)", processorPort);
        ports.put("processor admin (PAYSTREAM_PROCESSOR_ADMIN_PORT)", processorAdminPort);
        ports.put("ingress API (PAYSTREAM_INGRESS_PORT)", ingressPort);
        ports.put("ingress admin (PAYSTREAM_INGRESS_ADMIN_PORT)", ingressAdminPort);
        ports.put("PostgreSQL (PAYSTREAM_POSTGRES_PORT)", postgresPort);
        ports.put("Connect worker (PAYSTREAM_CONNECT_PORT)", connectPort);
        return ports;
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path kafkaDir() {
        return home.resolve("kafka");
    }

    /** The JDBC URL of the local stack's PostgreSQL. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    private static String valueOr(Function<String, String> environment, String name, String fallback) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int port(Function<String, String> environment, String name, int fallback) {
        String value = valueOr(environment, name, String.valueOf(fallback));
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'", e);
        }
    }
}
