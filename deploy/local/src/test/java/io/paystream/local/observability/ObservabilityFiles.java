package io.paystream.local.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.paystream.testing.PromQl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The provisionable files under {@code observability/}, read for tests. */
final class ObservabilityFiles {
    static final Path ROOT = Path.of("../../observability").toAbsolutePath().normalize();
    static final Path PROMETHEUS = ROOT.resolve("prometheus");
    static final Path DASHBOARDS = ROOT.resolve("grafana/dashboards");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObservabilityFiles() {
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every alerting rule: name → expression. */
    static Map<String, String> alerts() {
        Map<String, String> alerts = new TreeMap<>();
        for (JsonNode group : yaml(PROMETHEUS.resolve("alerts.yml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.put(rule.get("alert").asText(), rule.get("expr").asText());
                }
            }
        }
        return alerts;
    }

    /** The dashboards, parsed. */
    static List<JsonNode> dashboards() {
        List<JsonNode> dashboards = new ArrayList<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(JSON.readTree(file.toFile()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dashboards;
    }

    /** Every panel query of every dashboard: "dashboard / panel" → expression. */
    static Map<String, String> panelQueries() {
        Map<String, String> queries = new TreeMap<>();
        for (JsonNode dashboard : dashboards()) {
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.put(dashboard.path("title").asText() + " / " + panel.path("title").asText() + " / "
                            + target.path("refId").asText(), target.path("expr").asText());
                }
            }
        }
        return queries;
    }

    /** Every metric name an alert or a dashboard panel reads. */
    static Set<String> metricNamesUsed() {
        Set<String> names = new TreeSet<>();
        alerts().values().forEach(expr -> names.addAll(PromQl.metricNames(expr)));
        panelQueries().values().forEach(expr -> names.addAll(PromQl.metricNames(expr)));
        return names;
    }
}
