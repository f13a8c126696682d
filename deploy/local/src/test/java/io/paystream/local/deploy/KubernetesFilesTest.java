package io.paystream.local.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.paystream.local.KubernetesResources;
import io.paystream.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s, rendered and checked offline: {@code kubectl kustomize} (Debian's kubernetes-client) renders the
 * production overlay, and every object must hang together: selectors match labels, ports match the apps' configs,
 * every ConfigMap and Secret referenced exists or is made by an operator (or is the one documented external Secret),
 * no Secret is inlined, the topics are {@link Topics}' with the processor's partition count, and the generated files
 * (the PrometheusRule, the dashboards) are what {@link KubernetesResources} makes from observability/.
 */
class KubernetesFilesTest {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Created out of band, as docs/deploy.md says: the API keys' hashes, the ingress's secrets, the SMTP login. */
    private static final Set<String> EXTERNAL_SECRETS = Set.of("paystream-api-keys", "paystream-smtp",
            "paystream-acquirer", "paystream-admin-auth");

    private static final List<JsonNode> objects = new ArrayList<>();

    @BeforeAll
    static void render() throws Exception {
        Process process = new ProcessBuilder("kubectl", "kustomize",
                ROOT.resolve("deploy/k8s/overlays/production").toString()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        YAML.readerFor(JsonNode.class).readValues(out).forEachRemaining(node -> objects.add((JsonNode) node));
        assertThat(objects).hasSizeGreaterThan(20);
    }

    private static List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElse(null);
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        Set<String> missing = new HashSet<>();
        selector.fieldNames().forEachRemaining(key -> {
            if (!selector.get(key).asText().equals(labels.path(key).asText())) {
                missing.add(key);
            }
        });
        return !selector.isEmpty() && missing.isEmpty();
    }

    private static List<JsonNode> workloads() {
        List<JsonNode> workloads = new ArrayList<>(ofKind("Deployment"));
        workloads.addAll(ofKind("StatefulSet"));
        return workloads;
    }

    /**
     * Connect's REST API and the apps' admin ports are reachable only from Prometheus's namespace (and, for Connect,
     * the Strimzi operator): each has a NetworkPolicy that selects its pods and names who may reach that port.
     */
    @Test
    void theAdminPortsAndConnectsRestApiAreClosedToEveryoneButMonitoringAndTheOperator() {
        Map<String, Integer> guarded = Map.of("processor-admin", 8091, "ingress-admin", 8081, "connect-rest", 8083);
        guarded.forEach((name, port) -> {
            JsonNode policy = named("NetworkPolicy", name);
            assertThat(policy).as(name).isNotNull();
            assertThat(policy.at("/spec/policyTypes").toString()).contains("Ingress");
            List<JsonNode> rules = new ArrayList<>();
            policy.at("/spec/ingress").forEach(rules::add);
            List<JsonNode> forPort = rules.stream().filter(rule -> rule.path("ports").toString()
                    .contains("\"port\":" + port)).toList();
            assertThat(forPort).as(name + " names port " + port).isNotEmpty();
            assertThat(forPort).as(name + ": port " + port + " only from named peers")
                    .allSatisfy(rule -> assertThat(rule.path("from").size()).isPositive());
            assertThat(policy.at("/spec/podSelector/matchLabels").isEmpty()).isFalse();
        });
        // The selectors pick the pods they guard.
        assertThat(matches(named("NetworkPolicy", "processor-admin").at("/spec/podSelector/matchLabels"),
                named("StatefulSet", "processor").at("/spec/template/metadata/labels"))).isTrue();
        assertThat(matches(named("NetworkPolicy", "ingress-admin").at("/spec/podSelector/matchLabels"),
                named("Deployment", "ingress").at("/spec/template/metadata/labels"))).isTrue();
    }

    /**
     * The images open the admin ports to every interface, where the apps start only with basic auth: each app is
     * given the user and the password's hash, and each ServiceMonitor presents the same user and the password.
     */
    @Test
    void theAdminPortsWantBasicAuthAndPrometheusPresentsIt() {
        for (JsonNode workload : workloads()) {
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            Map<String, String> fromSecret = new HashMap<>();
            container.path("env").forEach(e -> {
                if (e.at("/valueFrom/secretKeyRef/name").asText().equals("paystream-admin-auth")) {
                    fromSecret.put(e.path("name").asText(), e.at("/valueFrom/secretKeyRef/key").asText());
                }
            });
            assertThat(fromSecret).as(container.path("name").asText()).containsEntry("PAYSTREAM_ADMIN_AUTH_USER",
                    "username").containsEntry("PAYSTREAM_ADMIN_AUTH_PASSWORD_SHA256", "passwordSha256");
        }
        assertThat(ofKind("ServiceMonitor")).hasSize(2).allSatisfy(monitor -> monitor.at("/spec/endpoints")
                .forEach(endpoint -> {
                    assertThat(endpoint.at("/basicAuth/username/name").asText()).isEqualTo("paystream-admin-auth");
                    assertThat(endpoint.at("/basicAuth/username/key").asText()).isEqualTo("username");
                    assertThat(endpoint.at("/basicAuth/password/key").asText()).isEqualTo("password");
                }));
    }

    /**
     * A connector may override only isolation.level, and name only the worker variables the PayStream connectors
     * use; the acquirer is reached over https with a credential.
     */
    @Test
    void connectAllowsOnlyTheOverridesAndSecretsItsConnectorsUse() {
        JsonNode config = named("KafkaConnect", "paystream-connect").at("/spec/config");
        assertThat(config.path("connector.client.config.override.policy").asText()).isEqualTo("Allowlist");
        assertThat(config.path("connector.client.config.override.allowlist").asText()).isEqualTo("isolation.level");
        String pattern = config.path("config.providers.env.param.allowlist.pattern").asText();
        Set<String> allowed = new java.util.TreeSet<>(List.of(pattern.replaceAll("^\\^\\(|\\)\\$$", "")
                .split("\\|")));
        Set<String> named = new java.util.TreeSet<>();
        ofKind("KafkaConnector").forEach(connector -> connector.at("/spec/config").fields().forEachRemaining(e -> {
            java.util.regex.Matcher reference = java.util.regex.Pattern.compile("\\$\\{env:([A-Z0-9_]+)}")
                    .matcher(e.getValue().asText());
            while (reference.find()) {
                named.add(reference.group(1));
            }
        }));
        assertThat(allowed).isEqualTo(named);
        JsonNode acquirer = named("KafkaConnector", "paystream-acquirer").at("/spec/config");
        assertThat(acquirer.path("paystream.acquirer.url").asText()).startsWith("https://");
        assertThat(acquirer.path("paystream.acquirer.api.key").asText()).isEqualTo(
                "${env:PAYSTREAM_ACQUIRER_API_KEY}");
    }

    /** A secret on a command line shows in ps to every user of the node: no container passes one in JAVA_OPTS. */
    @Test
    void noSecretIsPassedOnACommandLine() {
        for (JsonNode workload : workloads()) {
            workload.at("/spec/template/spec/containers").forEach(container -> container.path("env").forEach(env -> {
                if (env.path("name").asText().equals("JAVA_OPTS")) {
                    assertThat(env.path("value").asText()).as(workload.at("/metadata/name").asText())
                            .doesNotContainIgnoringCase("password").doesNotContain("$(");
                }
            }));
        }
    }

    @Test
    void everyObjectIsWellFormedInTheNamespaceAndNoSecretIsInlined() {
        for (JsonNode object : objects) {
            assertThat(object.path("apiVersion").asText()).isNotBlank();
            assertThat(object.path("metadata").path("name").asText()).isNotBlank();
            assertThat(object.path("metadata").path("namespace").asText()).as("namespace of %s",
                    object.path("metadata").path("name")).isEqualTo("paystream");
        }
        assertThat(ofKind("Secret")).as("secrets are referenced, never inlined").isEmpty();
    }

    @Test
    void selectorsMatchLabels() {
        for (JsonNode workload : workloads()) {
            assertThat(matches(workload.at("/spec/selector/matchLabels"), workload.at("/spec/template/metadata/labels")))
                    .as("selector of %s", workload.at("/metadata/name")).isTrue();
        }
        for (JsonNode service : ofKind("Service")) {
            assertThat(workloads()).as("pods of service %s", service.at("/metadata/name"))
                    .anyMatch(w -> matches(service.at("/spec/selector"), w.at("/spec/template/metadata/labels")));
        }
        for (JsonNode budget : ofKind("PodDisruptionBudget")) {
            assertThat(workloads()).anyMatch(w -> matches(budget.at("/spec/selector/matchLabels"),
                    w.at("/spec/template/metadata/labels")));
        }
        for (JsonNode monitor : ofKind("ServiceMonitor")) {
            assertThat(ofKind("Service")).anyMatch(s -> matches(monitor.at("/spec/selector/matchLabels"),
                    s.at("/metadata/labels")));
        }
        for (JsonNode scaler : ofKind("HorizontalPodAutoscaler")) {
            assertThat(named(scaler.at("/spec/scaleTargetRef/kind").asText(),
                    scaler.at("/spec/scaleTargetRef/name").asText())).isNotNull();
        }
    }

    @Test
    void portsMatchTheAppsConfigsAndTheServicesTargetNamedPorts() {
        Map<String, String> portVariables = Map.of("processor", "PAYSTREAM_PROCESSOR", "ingress", "PAYSTREAM_INGRESS");
        for (JsonNode workload : workloads()) {
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            String app = container.path("name").asText();
            Map<String, Integer> ports = new HashMap<>();
            container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
            Map<String, String> env = new HashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
            String prefix = portVariables.get(app);
            assertThat(String.valueOf(ports.get("admin"))).isEqualTo(env.get(prefix + "_ADMIN_PORT"));
            assertThat(String.valueOf(ports.get(app.equals("processor") ? "query" : "http")))
                    .isEqualTo(env.get(prefix + "_PORT"));
            assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("admin");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/healthcheck");
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthcheck");
            for (JsonNode service : ofKind("Service")) {
                if (matches(service.at("/spec/selector"), workload.at("/spec/template/metadata/labels"))) {
                    service.at("/spec/ports").forEach(p -> assertThat(ports).as("port %s of service %s",
                            p.path("targetPort").asText(), service.at("/metadata/name"))
                            .containsKey(p.path("targetPort").asText()));
                }
            }
        }
        JsonNode processor = named("StatefulSet", "processor");
        JsonNode headless = named("Service", processor.at("/spec/serviceName").asText());
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        String server = "";
        for (JsonNode e : processor.at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asText().equals("PAYSTREAM_APPLICATION_SERVER")) {
                server = e.path("value").asText();
            }
        }
        assertThat(server).as("each pod advertises its own DNS name through the headless service")
                .isEqualTo("$(POD_NAME)." + headless.at("/metadata/name").asText() + ".$(POD_NAMESPACE).svc:8090");
    }

    @Test
    void everyReferencedConfigMapAndSecretExistsOrIsMadeByAnOperator() {
        Set<String> configMaps = new HashSet<>();
        ofKind("ConfigMap").forEach(c -> configMaps.add(c.at("/metadata/name").asText()));
        Set<String> secrets = new HashSet<>(EXTERNAL_SECRETS);
        ofKind("KafkaUser").forEach(u -> secrets.add(u.at("/metadata/name").asText()));
        ofKind("Cluster").forEach(c -> secrets.add(c.at("/metadata/name").asText() + "-app"));
        List<String> problems = new ArrayList<>();
        for (JsonNode object : objects) {
            collect(object, "configMapRef", configMaps, problems);
            collect(object, "configMapKeyRef", configMaps, problems);
            collect(object, "secretRef", secrets, problems);
            collect(object, "secretKeyRef", secrets, problems);
            collect(object, "passwordSecret", secrets, problems);
        }
        assertThat(problems).isEmpty();
    }

    private static void collect(JsonNode node, String field, Set<String> known, List<String> problems) {
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> {
                if (entry.getKey().equals(field)) {
                    String name = entry.getValue().has("name") ? entry.getValue().path("name").asText()
                            : entry.getValue().path("secretName").asText();
                    if (!known.contains(name)) {
                        problems.add(field + " " + name + " exists nowhere");
                    }
                }
                collect(entry.getValue(), field, known, problems);
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, field, known, problems));
        }
    }

    @Test
    void theTopicsAreTheProcessorsWithItsPartitionCount() throws Exception {
        Matcher partitions = Pattern.compile("partitions: \\$\\{PAYSTREAM_PARTITIONS:-(\\d+)}")
                .matcher(Files.readString(ROOT.resolve("streams-processor/config-production.yml")));
        assertThat(partitions.find()).isTrue();
        Set<String> names = new HashSet<>();
        for (JsonNode topic : ofKind("KafkaTopic")) {
            names.add(topic.at("/spec/topicName").asText());
            assertThat(topic.at("/spec/partitions").asText()).isEqualTo(partitions.group(1));
            assertThat(topic.at("/spec/replicas").asInt()).isEqualTo(3);
            assertThat(topic.at("/spec/config/min.insync.replicas").asText()).isEqualTo("2");
            assertThat(topic.at("/spec/config/cleanup.policy").asText("delete")).as("%s", topic)
                    .isEqualTo(topic.at("/spec/topicName").asText().equals(Topics.WEBHOOK_ENDPOINTS.name())
                            ? "compact" : "delete");
        }
        Set<String> expected = new HashSet<>();
        Topics.ALL.forEach(topic -> expected.add(topic.name()));
        assertThat(names).isEqualTo(expected);
        JsonNode audit = ofKind("KafkaTopic").stream()
                .filter(t -> t.at("/spec/topicName").asText().equals(Topics.AUDIT.name())).findFirst().orElseThrow();
        assertThat(audit.at("/spec/config/retention.ms").asText()).isEqualTo("-1");
    }

    @Test
    void theIngressMayWriteOnlyItsRequestTopicsAndTheWebhookRegistrations() {
        Set<String> written = new HashSet<>();
        named("KafkaUser", "ingress").at("/spec/authorization/acls").forEach(acl -> {
            if (acl.at("/resource/type").asText().equals("topic")) {
                String name = acl.at("/resource/name").asText();
                assertThat(acl.at("/operations").toString()).doesNotContain("All");
                if (!name.equals(Topics.WEBHOOK_ENDPOINTS.name())) {
                    // It reads back the registrations it writes; nothing else.
                    assertThat(acl.at("/operations").toString()).as(name).doesNotContain("Read");
                }
                written.add(name);
            }
        });
        assertThat(written).containsExactlyInAnyOrder(Topics.PAYMENT_REQUESTS.name(), Topics.ACCOUNT_REQUESTS.name(),
                Topics.PAYMENT_ACTIONS.name(), Topics.PAYMENT_BATCHES.name(), Topics.WEBHOOK_ENDPOINTS.name());
    }

    @Test
    void theGeneratedFilesAreWhatObservabilityMakes() throws Exception {
        for (Map.Entry<String, String> file : KubernetesResources.generate(ROOT).entrySet()) {
            assertThat(Files.readString(ROOT.resolve(file.getKey()))).as("%s (run `make k8s`)", file.getKey())
                    .isEqualTo(file.getValue());
        }
        JsonNode rules = named("PrometheusRule", "paystream");
        JsonNode alerts = YAML.readTree(ROOT.resolve("observability/prometheus/alerts.yml").toFile());
        assertThat(rules.at("/spec/groups")).isEqualTo(alerts.get("groups"));
    }

    @Test
    void theAppsAuthenticateToKafkaAsTheirOwnKafkaUser() throws Exception {
        for (JsonNode workload : workloads()) {
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            String app = container.path("name").asText();
            Map<String, JsonNode> env = new HashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
            assertThat(env.get("KAFKA_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SASL_PLAINTEXT");
            assertThat(env.get("KAFKA_SASL_MECHANISM").path("value").asText()).isEqualTo("SCRAM-SHA-512");
            assertThat(env.get("KAFKA_SASL_JAAS_CONFIG").at("/valueFrom/secretKeyRef/name").asText())
                    .as("%s uses its own principal", app).isEqualTo(app);
            assertThat(named("KafkaUser", app)).isNotNull();
            // The variables are the ones the app's production config reads.
            String config = Files.readString(ROOT.resolve(app.equals("processor") ? "streams-processor"
                    : "ingress-api").resolve("config-production.yml"));
            assertThat(config).contains("${KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}", "${KAFKA_SASL_MECHANISM:-GSSAPI}",
                    "'${KAFKA_SASL_JAAS_CONFIG:-}'");
        }
        assertThat(named("Kafka", "paystream").at("/spec/kafka/listeners/0/authentication/type").asText())
                .isEqualTo("scram-sha-512");
        assertThat(named("Kafka", "paystream").at("/spec/kafka/authorization/type").asText()).isEqualTo("simple");
    }

    @Test
    void everyPayStreamImageHasItsDockerfile() {
        Map<String, String> dockerfiles = Map.of("paystream/processor", "processor", "paystream/ingress", "ingress",
                "paystream/strimzi-connect", "strimzi-connect");
        List<String> images = new ArrayList<>();
        for (JsonNode workload : workloads()) {
            workload.at("/spec/template/spec/containers").forEach(c -> images.add(c.path("image").asText()));
        }
        ofKind("KafkaConnect").forEach(connect -> images.add(connect.at("/spec/image").asText()));
        assertThat(images).hasSize(3);
        for (String image : images) {
            String name = image.substring(0, image.lastIndexOf(':'));
            assertThat(dockerfiles).as("image %s", image).containsKey(name);
            assertThat(ROOT.resolve("deploy/docker").resolve(dockerfiles.get(name)).resolve("Dockerfile")).exists();
        }
    }

    @Test
    void eachProcessorPodIsAStaticMemberNamedAfterItself() throws Exception {
        JsonNode processor = null;
        for (JsonNode workload : workloads()) {
            if (workload.at("/spec/template/spec/containers/0/name").asText().equals("processor")) {
                processor = workload;
            }
        }
        assertThat(processor).isNotNull();
        assertThat(processor.path("kind").asText()).isEqualTo("StatefulSet");
        String instanceId = null;
        for (JsonNode variable : processor.at("/spec/template/spec/containers/0/env")) {
            if (variable.path("name").asText().equals("PAYSTREAM_GROUP_INSTANCE_ID")) {
                instanceId = variable.path("value").asText();
            }
        }
        assertThat(instanceId).isEqualTo("$(POD_NAME)");
    }

    @Test
    void bothAppsTraceOnePaymentInTenWholeInProduction() {
        for (String app : List.of("paystream-processor", "paystream-ingress")) {
            JsonNode map = named("ConfigMap", app);
            assertThat(map).as(app).isNotNull();
            assertThat(map.at("/data/OTEL_TRACES_SAMPLER").asText()).as(app).isEqualTo("parentbased_traceidratio");
            assertThat(map.at("/data/OTEL_TRACES_SAMPLER_ARG").asText()).as(app).isEqualTo("0.1");
        }
    }

    @Test
    void everyVariableGivenToAnAppIsOneItsProductionConfigReads() throws Exception {
        // The JVM's and the agent's own, and the pod facts that other variables are built from.
        Set<String> runtime = Set.of("JAVA_OPTS", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "POD_NAME", "POD_NAMESPACE", "PAYSTREAM_DB_PASSWORD");
        for (JsonNode workload : workloads()) {
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            String app = container.path("name").asText();
            String config = Files.readString(ROOT.resolve(app.equals("processor") ? "streams-processor"
                    : "ingress-api").resolve("config-production.yml"));
            Set<String> given = new HashSet<>();
            container.path("env").forEach(e -> given.add(e.path("name").asText()));
            container.path("envFrom").forEach(source -> {
                JsonNode map = named("ConfigMap", source.at("/configMapRef/name").asText());
                if (map != null) {
                    map.path("data").fieldNames().forEachRemaining(given::add);
                }
            });
            assertThat(given).hasSizeGreaterThan(5);
            for (String variable : given) {
                assertThat(runtime.contains(variable) || config.contains("${" + variable))
                        .as("%s is given %s, which its config-production.yml never reads", app, variable).isTrue();
            }
        }
    }
}
