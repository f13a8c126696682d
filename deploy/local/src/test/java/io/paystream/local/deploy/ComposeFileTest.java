package io.paystream.local.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.paystream.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose, validated without a Docker engine: Debian's {@code docker-compose config} must parse and resolve the
 * file, and the resolved services must agree with what the apps read: every variable set is one their production
 * config reads, every variable it needs without a default is set, ports and addresses match, named volumes are
 * declared, bind mounts exist, the processors advertise distinct addresses, and the Dockerfiles run as a non-root user
 * with a health check on the admin port.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("deploy/compose");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:-[^}]*)?}");
    /** Variables a service may set that no config file reads: the JVM's and the OpenTelemetry agent's. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("JAVA_OPTS", "OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME");

    /** The operators' user on the admin ports and Connect's REST API. */
    private static final String ADMIN_USER = "operations";

    private static JsonNode services;
    private static JsonNode resolved;

    private record Run(int exitCode, String output) {
    }

    private static Run compose(Path envFile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        if (envFile != null) {
            command.addAll(List.of("--env-file", envFile.toString()));
        }
        command.addAll(List.of("-f", COMPOSE.resolve("docker-compose.yml").toString(), "config"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @BeforeAll
    static void resolve() throws Exception {
        // The example .env with a well-formed hash of an operator's own secret: what an operator fills in.
        Path env = Files.createTempFile("compose", ".env");
        Files.writeString(env, Files.readString(COMPOSE.resolve("paystream.env.example"))
                .replace("replace-with-64-hex-digits", io.paystream.web.auth.ApiKeyAuth.sha256Hex("an-operators-secret")));
        Run run = compose(env);
        assertThat(run.exitCode()).as(run.output()).isZero();
        resolved = YAML.readTree(run.output());
        services = resolved.get("services");
    }

    @Test
    void theWholeSystemIsThere() {
        assertThat(names(services)).contains("kafka-1", "kafka-2", "kafka-3", "postgres", "processor-1",
                "processor-2", "ingress", "connect", "connect-init", "prometheus", "grafana", "jaeger");
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            assertThat(services.get(broker).get("image").asText()).startsWith("apache/kafka:");
            assertThat(env(broker)).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                    .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + broker + ":9092");
        }
    }

    @Test
    void secretsComeFromTheEnvironmentAndTheFileRefusesToResolveWithoutThem() throws Exception {
        Run run = compose(Files.createTempFile("empty", ".env"));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("in .env");
        String file = Files.readString(COMPOSE.resolve("docker-compose.yml"));
        assertThat(file).doesNotContain("local-dev-key").doesNotContainPattern("PASSWORD: [a-z]");
    }

    @Test
    void everyVariableSetIsOneTheAppReadsAndEveryRequiredOneIsSet() throws Exception {
        Map<String, String> apps = Map.of("processor-1", "streams-processor", "processor-2", "streams-processor",
                "ingress", "ingress-api");
        for (Map.Entry<String, String> app : apps.entrySet()) {
            String config = Files.readString(ROOT.resolve(app.getValue()).resolve("config-production.yml"));
            Set<String> read = new TreeSet<>();
            Set<String> required = new TreeSet<>();
            Matcher variables = VARIABLE.matcher(config);
            while (variables.find()) {
                read.add(variables.group(1));
                if (variables.group(2) == null) {
                    required.add(variables.group(1));
                }
            }
            Map<String, String> set = new HashMap<>(dockerfileEnv(app.getKey().startsWith("processor")
                    ? "processor" : "ingress"));
            set.putAll(env(app.getKey()));
            for (String variable : set.keySet()) {
                assertThat(read.contains(variable) || RUNTIME_VARIABLES.contains(variable))
                        .as("%s sets %s, which %s/config-production.yml never reads", app.getKey(), variable,
                                app.getValue()).isTrue();
            }
            assertThat(set.keySet()).as("%s sets every variable its config needs", app.getKey())
                    .containsAll(required);
        }
    }

    /**
     * Each app's production config loads and validates with exactly the environment its image and compose give it:
     * the admin port the image opens to every interface carries basic auth, and every key is set and well formed.
     */
    @Test
    void theAppsStartWithTheEnvironmentComposeGivesThem() throws Exception {
        for (String service : List.of("processor-1", "processor-2", "ingress")) {
            boolean processor = service.startsWith("processor");
            Map<String, String> environment = new HashMap<>(dockerfileEnv(processor ? "processor" : "ingress"));
            environment.putAll(env(service));
            environment.replaceAll((name, value) -> value.replaceAll("^\"|\"$", ""));
            org.apache.commons.text.StringSubstitutor substitutor = new org.apache.commons.text.StringSubstitutor(
                    environment);
            substitutor.setEnableSubstitutionInVariables(true);
            String text = substitutor.replace(Files.readString(ROOT.resolve(processor ? "streams-processor"
                    : "ingress-api").resolve("config-production.yml")));
            // Without the logging block: these tests run on slf4j-simple, and Dropwizard's logging wants Logback.
            com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                    YAML.readTree(text);
            tree.remove("logging");
            Path file = Files.createTempFile(service, ".yml");
            YAML.writeValue(file.toFile(), tree);
            Class<? extends io.paystream.web.config.PayStreamConfiguration> type = processor
                    ? io.paystream.processor.ProcessorConfiguration.class : io.paystream.ingress.IngressConfiguration.class;
            io.paystream.web.config.PayStreamConfiguration configuration = new io.dropwizard.configuration
                    .YamlConfigurationFactory<>(type, io.dropwizard.jersey.validation.Validators.newValidator(),
                            io.dropwizard.jackson.Jackson.newObjectMapper(), "dw").build(file.toFile());
            Files.delete(file);
            assertThat(configuration.getAdminAuth().isEnabled()).as(service).isTrue();
            assertThat(configuration.getAdminAuth().getUsername()).as(service).isEqualTo(ADMIN_USER);
        }
    }

    /** Prometheus presents the operators' credential to every target, as the user the apps and Connect expect. */
    @Test
    void everyScrapeAndEveryRestCallCarriesTheCredential() throws Exception {
        JsonNode prometheus = YAML.readTree(COMPOSE.resolve("prometheus/prometheus.yml").toFile());
        prometheus.get("scrape_configs").forEach(job -> {
            assertThat(job.path("basic_auth").path("username").asText()).as(job.toString()).isEqualTo(ADMIN_USER);
            assertThat(job.path("basic_auth").path("password_file").asText()).isEqualTo("/tmp/admin-password");
        });
        assertThat(services.get("prometheus").get("command").get(0).asText()).contains("> /tmp/admin-password");
        assertThat(env("prometheus")).containsKey("PAYSTREAM_ADMIN_AUTH_PASSWORD");
        assertThat(env("connect")).containsEntry("PAYSTREAM_ADMIN_AUTH_USER", ADMIN_USER)
                .containsKey("PAYSTREAM_ADMIN_AUTH_PASSWORD");
        // docker-compose 1.29 renders the escaped $$ as it is written.
        assertThat(services.get("connect-init").get("command").get(0).asText()).contains("-u \"" + ADMIN_USER
                + ":$$PAYSTREAM_ADMIN_AUTH_PASSWORD\"");
        assertThat(Files.readString(ROOT.resolve("deploy/docker/connect/worker.properties"))).containsPattern(
                "(?m)^rest\\.extension\\.classes=.*io\\.paystream\\.sinks\\.rest\\.BasicAuthRestExtension");
        assertThat(Files.readString(ROOT.resolve("deploy/docker/connect/Dockerfile")))
                .contains("paystream.rest.auth.user=${PAYSTREAM_ADMIN_AUTH_USER}")
                .contains("paystream.rest.auth.password.sha256=")
                .contains("curl -fsS -u \"${PAYSTREAM_ADMIN_AUTH_USER}:${PAYSTREAM_ADMIN_AUTH_PASSWORD}\"");
    }

    @Test
    void portsAddressesAndProcessorsAgree() {
        Set<String> servers = new HashSet<>();
        for (String processor : List.of("processor-1", "processor-2")) {
            Map<String, String> env = env(processor);
            String port = env.get("PAYSTREAM_PROCESSOR_PORT");
            assertThat(env.get("PAYSTREAM_APPLICATION_SERVER")).isEqualTo(processor + ":" + port);
            assertThat(services.get(processor).get("hostname").asText()).isEqualTo(processor);
            servers.add(env.get("PAYSTREAM_APPLICATION_SERVER"));
            assertThat(publishedTargets(processor)).contains(port);
            assertThat(env.get("PAYSTREAM_REPLICATION_FACTOR")).isEqualTo("3");
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
        }
        assertThat(servers).as("each processor advertises its own address").hasSize(2);
        Map<String, String> ingress = env("ingress");
        assertThat(publishedTargets("ingress")).contains(ingress.get("PAYSTREAM_INGRESS_PORT"));
        assertThat(ingress.get("PAYSTREAM_QUERY_API_URL")).isEqualTo("http://processor-1:"
                + env("processor-1").get("PAYSTREAM_PROCESSOR_PORT"));
        assertThat(env("connect").get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(ingress.get("KAFKA_BOOTSTRAP_SERVERS"));
    }

    @Test
    void prometheusScrapesEveryAdminPortWithTheJobNamesTheAlertsUse() throws Exception {
        JsonNode prometheus = YAML.readTree(COMPOSE.resolve("prometheus/prometheus.yml").toFile());
        Map<String, List<String>> targets = new HashMap<>();
        prometheus.get("scrape_configs").forEach(job -> {
            List<String> list = new ArrayList<>();
            job.get("static_configs").get(0).get("targets").forEach(t -> list.add(t.asText()));
            targets.put(job.get("job_name").asText(), list);
        });
        assertThat(targets.get("paystream-processor")).containsExactly(
                "processor-1:" + env("processor-1").get("PAYSTREAM_PROCESSOR_ADMIN_PORT"),
                "processor-2:" + env("processor-2").get("PAYSTREAM_PROCESSOR_ADMIN_PORT"));
        assertThat(targets.get("paystream-ingress")).containsExactly(
                "ingress:" + env("ingress").get("PAYSTREAM_INGRESS_ADMIN_PORT"));
        assertThat(targets.get("paystream-connect")).containsExactly("connect:" + env("connect").get("CONNECT_REST_PORT"));
        String alerts = Files.readString(ROOT.resolve("observability/prometheus/alerts.yml"));
        for (String job : targets.keySet()) {
            assertThat(alerts).as("the alert rules select job %s", job).contains(job);
        }
    }

    @Test
    void namedVolumesAreDeclaredAndBindMountsExist() {
        Set<String> declared = names(resolved.get("volumes"));
        for (String service : names(services)) {
            JsonNode volumes = services.get(service).get("volumes");
            if (volumes == null) {
                continue;
            }
            for (JsonNode volume : volumes) {
                // docker-compose 1.29 resolves volumes to "source:target[:mode]", bind mounts with absolute sources.
                String source = volume.isTextual() ? volume.asText().split(":", -1)[0] : volume.get("source").asText();
                if (!source.startsWith("/")) {
                    assertThat(declared).as("volume %s of %s", source, service).contains(source);
                } else {
                    assertThat(Path.of(source)).as("bind mount of %s", service).exists();
                }
            }
        }
        assertThat(declared).contains("processor-1-state", "processor-2-state", "kafka-1-data", "postgres-data");
    }

    @Test
    void theDockerfilesRunAsANonRootUserWithAHealthCheckOnTheAdminPort() throws Exception {
        Map<String, String> adminPorts = Map.of("processor", "PAYSTREAM_PROCESSOR_ADMIN_PORT", "ingress",
                "PAYSTREAM_INGRESS_ADMIN_PORT", "connect", "CONNECT_REST_PORT");
        for (Map.Entry<String, String> app : adminPorts.entrySet()) {
            Path dockerfile = ROOT.resolve("deploy/docker").resolve(app.getKey()).resolve("Dockerfile");
            String text = Files.readString(dockerfile);
            assertThat(text).as(dockerfile.toString()).contains("FROM eclipse-temurin:17-jre")
                    .containsPattern("(?m)^USER 10001:10001$")
                    .containsPattern("HEALTHCHECK [^\\n]*\\n?[^\\n]*\\$\\{" + app.getValue() + "}");
            assertThat(dockerfileEnv(app.getKey())).containsKey(app.getValue());
            // Every COPY source is something the build makes, or a file in the repository.
            Matcher copies = Pattern.compile("(?m)^COPY (\\S+) ").matcher(text);
            while (copies.find()) {
                String source = copies.group(1);
                assertThat(source.contains("/target/") || Files.exists(ROOT.resolve(source)))
                        .as("%s copies %s", dockerfile, source).isTrue();
                if (source.endsWith("-0.1.0-SNAPSHOT.jar")) {
                    String module = source.substring(0, source.indexOf('/'));
                    assertThat(Path.of(source).getFileName().toString()).startsWith(module);
                }
            }
        }
    }

    @Test
    void theSinkConnectorsReadPayStreamTopicsAndNameTheirSecretsFromTheWorkersEnvironment() throws Exception {
        Set<String> topics = new HashSet<>();
        Topics.ALL.forEach(topic -> topics.add(topic.name()));
        Map<String, String> connect = env("connect");
        for (String name : List.of("paystream-ledger-sink", "paystream-payments-sink", "paystream-webhooks",
                "paystream-email", "paystream-acquirer")) {
            JsonNode config = new ObjectMapper().readTree(COMPOSE.resolve("connect").resolve(name + ".json").toFile());
            assertThat(topics).contains(config.get("topics").asText().split(","));
            Matcher secrets = Pattern.compile("\\$\\{env:([A-Z_]+)}").matcher(config.toString());
            int found = 0;
            while (secrets.find()) {
                assertThat(connect).as("%s names %s", name, secrets.group(1)).containsKey(secrets.group(1));
                found++;
            }
            // The database's three in every sink; the webhook sink also reaches the brokers with its own clients,
            // and the email sink the SMTP server and the query API.
            assertThat(found).isEqualTo(switch (name) {
                case "paystream-webhooks" -> 4;
                case "paystream-email" -> 7;
                case "paystream-acquirer" -> 3; // the acquirer's URL and credential, and the brokers
                default -> 3;
            });
        }
        String worker = Files.readString(ROOT.resolve("deploy/docker/connect/worker.properties"));
        assertThat(worker)
                .contains("config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider")
                .contains("offset.storage.replication.factor=3")
                .contains("connector.client.config.override.policy=Allowlist")
                .contains("connector.client.config.override.allowlist=isolation.level");
        // Every variable a connector names is one the worker lets it read, and none other is let through.
        Matcher allowed = Pattern.compile("(?m)^config\\.providers\\.env\\.param\\.allowlist\\.pattern=\\^\\((.*)\\)\\$$")
                .matcher(worker);
        assertThat(allowed.find()).as("the env provider's allowlist").isTrue();
        Set<String> named = new TreeSet<>();
        try (var files = Files.list(COMPOSE.resolve("connect"))) {
            for (Path file : files.toList()) {
                Matcher reference = Pattern.compile("\\$\\{env:([A-Z0-9_]+)}").matcher(Files.readString(file));
                while (reference.find()) {
                    named.add(reference.group(1));
                }
            }
        }
        assertThat(new TreeSet<>(List.of(allowed.group(1).split("\\|")))).isEqualTo(named);
    }

    /** A secret on a command line shows in ps to every user of the host: none is passed in JAVA_OPTS. */
    @Test
    void noSecretIsPassedOnACommandLine() {
        services.fieldNames().forEachRemaining(service -> assertThat(env(service).getOrDefault("JAVA_OPTS", ""))
                .as(service).doesNotContainIgnoringCase("password").doesNotContain("${"));
        assertThat(env("processor-1").get("PAYSTREAM_DB_PASSWORD")).isNotBlank();
    }

    /** The operators' UIs are published on the host's loopback only, never on every interface. */
    @Test
    void mailpitPrometheusGrafanaAndJaegerAreReachableFromThisHostOnly() {
        for (String service : List.of("mail", "prometheus", "grafana", "jaeger")) {
            // docker-compose renders a port bound to an address in its short form, "127.0.0.1:8025:8025/tcp".
            services.get(service).get("ports").forEach(port -> assertThat(port.isTextual() ? port.asText()
                    : port.path("host_ip").asText() + ":").as(service + " " + port).startsWith("127.0.0.1:"));
        }
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        if (node != null) {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    private static Map<String, String> env(String service) {
        Map<String, String> env = new HashMap<>();
        JsonNode environment = services.get(service).get("environment");
        if (environment != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = environment.fields();
            fields.forEachRemaining(field -> env.put(field.getKey(), field.getValue().asText()));
        }
        return env;
    }

    private static Set<String> publishedTargets(String service) {
        Set<String> targets = new HashSet<>();
        services.get(service).get("ports").forEach(port -> targets.add(port.get("target").asText()));
        return targets;
    }

    /** The ENV lines of an app's Dockerfile, as name to value. */
    private static Map<String, String> dockerfileEnv(String app) throws IOException {
        String text = Files.readString(ROOT.resolve("deploy/docker").resolve(app).resolve("Dockerfile"))
                .replace("\\\n", " ");
        Map<String, String> env = new HashMap<>();
        Matcher lines = Pattern.compile("(?m)^ENV (.*)$").matcher(text);
        while (lines.find()) {
            Matcher pairs = Pattern.compile("([A-Z0-9_]+)=(\"[^\"]*\"|\\S+)").matcher(lines.group(1));
            while (pairs.find()) {
                env.put(pairs.group(1), pairs.group(2));
            }
        }
        return env;
    }
}
