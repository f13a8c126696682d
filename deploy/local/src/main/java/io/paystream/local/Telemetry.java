package io.paystream.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Whether and how the launcher attaches the OpenTelemetry Java agent to each JVM it starts. The agent jar is fetched by
 * Maven into {@code deploy/local/target/otel/}; its defaults are in {@code observability/otel/agent.properties}.
 *
 * <p>The agent is attached only when its traces go somewhere: OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set,
 * or whatever {@code OTEL_TRACES_EXPORTER} names (other than {@code none}). An agent that exports nothing still builds
 * every span, which cost about a quarter of the processor's CPU and a third of the ingress's, and slowed every JVM's
 * start. {@code PAYSTREAM_OTEL=on} attaches it anyway, exporting nothing (to price it); {@code PAYSTREAM_OTEL=off}
 * never attaches it.
 *
 * @param agent the agent jar, or null when the agent is off
 * @param configuration the agent's defaults file
 * @param tracesExporter the exporter to set, or null to leave the choice to {@code OTEL_TRACES_EXPORTER}
 * @param description one line for the banner
 */
record Telemetry(Path agent, Path configuration, String tracesExporter, String description) {
    static final String AGENT = "deploy/local/target/otel/opentelemetry-javaagent.jar";
    static final String CONFIGURATION = "observability/otel/agent.properties";
    static final String HOW_TO_TRACE = "off: no exporter is set, so no agent "
            + "(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 make run traces every payment)";

    /** No agent. */
    static Telemetry off(String description) {
        return new Telemetry(null, null, null, description);
    }

    /** The agent attached with an exporter of {@code none}: it costs what it costs, and nothing leaves. */
    static Telemetry attachedExportingNothing(Path root, String description) {
        return new Telemetry(agentJar(root), root.resolve(CONFIGURATION), "none", description);
    }

    /** Reads the choice from the environment; fails when the agent is wanted but has not been fetched. */
    static Telemetry fromEnvironment(Path root, Function<String, String> environment) {
        String switched = environment.apply("PAYSTREAM_OTEL");
        if ("off".equalsIgnoreCase(switched)) {
            return off("off (PAYSTREAM_OTEL=off)");
        }
        String chosen = environment.apply("OTEL_TRACES_EXPORTER");
        String endpoint = environment.apply("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (!isBlank(chosen) && !"none".equalsIgnoreCase(chosen.trim())) {
            return new Telemetry(agentJar(root), root.resolve(CONFIGURATION), null, "agent attached; traces "
                    + "exported to " + chosen + " (OTEL_TRACES_EXPORTER)");
        }
        if (isBlank(chosen) && !isBlank(endpoint)) {
            return new Telemetry(agentJar(root), root.resolve(CONFIGURATION), "otlp", "agent attached; traces "
                    + "exported over OTLP to " + endpoint);
        }
        if ("on".equalsIgnoreCase(switched)) {
            return attachedExportingNothing(root, "agent attached, exporting nothing (PAYSTREAM_OTEL=on)");
        }
        return off(HOW_TO_TRACE);
    }

    private static Path agentJar(Path root) {
        Path agent = root.resolve(AGENT);
        if (!Files.isRegularFile(agent)) {
            throw new IllegalStateException(agent + " is missing: build first (`make build`, which `make run` does), "
                    + "or set PAYSTREAM_OTEL=off");
        }
        return agent;
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
