package io.paystream.local.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus and Grafana files are valid for the tools that load them, and every alert is unit-tested. Whether
 * the metrics they read exist is {@link ObservabilityIT}'s job, against the running stack.
 */
class ObservabilityFilesTest {
    @Test
    void thePrometheusConfigAndItsRuleFileAreValid() throws Exception {
        Promtool.Result config = Promtool.run(ObservabilityFiles.PROMETHEUS, null, "check", "config", "prometheus.yml");
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS: 1 rule files found");
        Promtool.Result rules = Promtool.run(ObservabilityFiles.PROMETHEUS, null, "check", "rules", "alerts.yml");
        assertThat(rules.exitCode()).as(rules.output()).isZero();
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        Promtool.Result tests = Promtool.run(ObservabilityFiles.PROMETHEUS, null, "test", "rules", "alerts.test.yml");
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasATestWhereItFires() {
        Set<String> firing = new HashSet<>();
        for (JsonNode test : ObservabilityFiles.yaml(ObservabilityFiles.PROMETHEUS.resolve("alerts.test.yml"))
                .path("tests")) {
            for (JsonNode expectation : test.path("alert_rule_test")) {
                if (!expectation.path("exp_alerts").isEmpty()) {
                    firing.add(expectation.path("alertname").asText());
                }
            }
        }
        assertThat(ObservabilityFiles.alerts()).isNotEmpty();
        assertThat(firing).containsAll(ObservabilityFiles.alerts().keySet());
    }

    @Test
    void everyAlertSaysWhatToDo() {
        for (JsonNode group : ObservabilityFiles.yaml(ObservabilityFiles.PROMETHEUS.resolve("alerts.yml"))
                .path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("annotations").path("runbook").asText()).as(rule.path("alert").asText())
                        .hasSizeGreaterThan(40);
                assertThat(rule.path("labels").path("severity").asText()).isIn("page", "ticket");
            }
        }
    }

    @Test
    void dashboardsUseTheProvisionedDatasourceAndEveryPanelHasAQuery() {
        String uid = ObservabilityFiles.yaml(ObservabilityFiles.ROOT.resolve(
                "grafana/provisioning/datasources/prometheus.yml")).path("datasources").get(0).path("uid").asText();
        assertThat(uid).isNotBlank();
        assertThat(ObservabilityFiles.dashboards()).extracting(d -> d.path("title").asText())
                .containsExactlyInAnyOrder("PayStream: payments overview", "PayStream: pipeline health",
                        "PayStream: JVM and Kafka clients");
        for (JsonNode dashboard : ObservabilityFiles.dashboards()) {
            assertThat(dashboard.path("uid").asText()).isNotBlank();
            for (JsonNode panel : dashboard.path("panels")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo(uid);
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
        for (Map.Entry<String, String> query : ObservabilityFiles.panelQueries().entrySet()) {
            assertThat(query.getValue()).as(query.getKey()).isNotBlank();
        }
        assertThat(ObservabilityFiles.yaml(ObservabilityFiles.ROOT.resolve(
                "grafana/provisioning/dashboards/paystream.yml")).path("providers").get(0).path("type").asText())
                .isEqualTo("file");
    }
}
