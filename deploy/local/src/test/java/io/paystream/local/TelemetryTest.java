package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryTest {
    @TempDir
    Path root;

    private Telemetry telemetry(Map<String, String> environment) throws Exception {
        Path agent = root.resolve(Telemetry.AGENT);
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "jar");
        return Telemetry.fromEnvironment(root, environment::get);
    }

    @Test
    void attachesNoAgentWhenNoTracesAreExportedAndSaysHowToTurnTracingOn() throws Exception {
        for (Map<String, String> environment : java.util.List.of(Map.<String, String>of(),
                Map.of("OTEL_TRACES_EXPORTER", "none"),
                Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))) {
            Telemetry telemetry = telemetry(environment);
            assertThat(telemetry.jvmArgs("processor")).as("%s", environment).isEmpty();
            assertThat(telemetry.description()).contains("OTEL_EXPORTER_OTLP_ENDPOINT=");
        }
    }

    @Test
    void paystreamOtelOnAttachesTheAgentExportingNothing() throws Exception {
        assertThat(telemetry(Map.of("PAYSTREAM_OTEL", "on")).jvmArgs("processor")).containsExactly(
                "-javaagent:" + root.resolve(Telemetry.AGENT),
                "-Dotel.javaagent.configuration-file=" + root.resolve(Telemetry.CONFIGURATION),
                "-Dotel.service.name=paystream-processor",
                "-Dotel.traces.exporter=none");
    }

    @Test
    void exportsOverOtlpWhenAnEndpointIsSet() throws Exception {
        Telemetry telemetry = telemetry(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
        assertThat(telemetry.jvmArgs("ingress")).contains("-Dotel.traces.exporter=otlp");
        assertThat(telemetry.description()).contains("OTLP to http://127.0.0.1:4318");
    }

    @Test
    void anExplicitExporterIsLeftToTheAgent() throws Exception {
        Telemetry telemetry = telemetry(Map.of("OTEL_TRACES_EXPORTER", "logging-otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
        assertThat(telemetry.jvmArgs("kafka")).noneMatch(arg -> arg.startsWith("-Dotel.traces.exporter"));
    }

    @Test
    void canBeTurnedOffAndSaysWhenTheAgentWasNotFetched() {
        assertThat(Telemetry.fromEnvironment(root, Map.of("PAYSTREAM_OTEL", "off")::get).jvmArgs("connect"))
                .isEmpty();
        assertThat(Telemetry.fromEnvironment(root, name -> null).jvmArgs("connect")).isEmpty();
        assertThatThrownBy(() -> Telemetry.fromEnvironment(root, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:4318")::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("make build");
    }
}
