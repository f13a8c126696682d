package io.paystream.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How the launcher attaches the OpenTelemetry Java agent to each JVM it starts. The agent jar is fetched by Maven into
 * {@code deploy/local/target/otel/}; its defaults are in {@code observability/otel/agent.properties}. Traces go
 * nowhere unless asked: OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set, or whatever
 * {@code OTEL_TRACES_EXPORTER} names. {@code PAYSTREAM_OTEL=off} starts the JVMs without the agent.
 *
 * @param agent the agent jar, or null when the agent is off
 * @param configuration the agent's defaults file
 * @param tracesExporter the exporter to set, or null to leave the choice to {@code OTEL_TRACES_EXPORTER}
 * @param description one line for the banner
 */
record Telemetry(Path agent, Path configuration, String tracesExporter, String description) {
    static final String AGENT = "deploy/local/target/otel/opentelemetry-javaagent.jar";
    static final String CONFIGURATION = "observability/otel/agent.properties";

    /** Reads the choice from the environment; fails when the agent is on but has not been fetched. */
    static Telemetry fromEnvironment(Path root, Function<String, String> environment) {
        if ("off".equalsIgnoreCase(environment.apply("PAYSTREAM_OTEL"))) {
            return new Telemetry(null, null, null, "off (PAYSTREAM_OTEL=off)");
        }
        Path agent = root.resolve(AGENT);
        if (!Files.isRegularFile(agent)) {
            throw new IllegalStateException(agent + " is missing: build first (`make build`, which `make run` does), "
                    + "or set PAYSTREAM_OTEL=off");
        }
        Path configuration = root.resolve(CONFIGURATION);
        String chosen = environment.apply("OTEL_TRACES_EXPORTER");
        String endpoint = environment.apply("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (!isBlank(chosen)) {
            return new Telemetry(agent, configuration, null, "agent attached; traces exported to " + chosen
                    + " (OTEL_TRACES_EXPORTER)");
        }
        if (!isBlank(endpoint)) {
            return new Telemetry(agent, configuration, "otlp", "agent attached; traces exported over OTLP to "
                    + endpoint);
        }
        return new Telemetry(agent, configuration, "none",
                "agent attached; traces not exported (set OTEL_EXPORTER_OTLP_ENDPOINT to send them)");
    }

    /** The JVM arguments for one process of the stack, named {@code paystream-<name>} in its spans. */
    List<String> jvmArgs(String name) {
        List<String> args = new ArrayList<>();
        if (agent == null) {
            return args;
        }
        args.add("-javaagent:" + agent);
        args.add("-Dotel.javaagent.configuration-file=" + configuration);
        args.add("-Dotel.service.name=paystream-" + name);
        if (tracesExporter != null) {
            args.add("-Dotel.traces.exporter=" + tracesExporter);
        }
        return args;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
