package io.paystream.ingress;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.health.KafkaHealthCheck;
import io.paystream.ingress.http.BodyLimitFilter;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.ingress.kafka.EndpointPrivilegesSync;
import io.paystream.ingress.lookup.PaymentLookup;
import io.paystream.ingress.resources.AccountsResource;
import io.paystream.ingress.resources.BalanceMonitorsResource;
import io.paystream.ingress.resources.PaymentBatchesResource;
import io.paystream.ingress.resources.PaymentsResource;
import io.paystream.ingress.resources.WebhookEndpointsResource;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.webhooks.UrlPolicy;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.auth.ApiKeyFactory;
import io.paystream.web.config.PayStreamConfiguration;
import io.paystream.web.errors.ErrorMappers;
import io.paystream.web.http.UnreadBodyDrain;
import io.paystream.web.metrics.MeterRegistries;
import io.swagger.v3.jaxrs2.integration.resources.OpenApiResource;
import java.time.Clock;
import java.time.Duration;
import org.glassfish.jersey.micrometer.server.DefaultJerseyTagsProvider;
import org.glassfish.jersey.micrometer.server.MetricsApplicationEventListener;

/**
 * The ingress: accepts payment and account commands over HTTP and writes them to Kafka, answering 202 only once the
 * broker acknowledged the write. Start it with {@code server config.yml}.
 */
public class IngressApplication extends Application<IngressConfiguration> {
    /** A health check must answer quickly even when the broker does not. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

    public static void main(String[] args) throws Exception {
        new IngressApplication().run(args);
    }

    @Override
    public String getName() {
        return "paystream-ingress";
    }

    @Override
    public void initialize(Bootstrap<IngressConfiguration> bootstrap) {
        PayStreamConfiguration.substituteEnvironment(bootstrap);
    }

    @Override
    public void run(IngressConfiguration configuration, Environment environment) {
        makeJsonStrict(environment.getObjectMapper());
        PrometheusMeterRegistry registry = MeterRegistries.prometheus(environment);
        configuration.registerAdminAuth(environment);
        configuration.getCors().register(environment);
        ErrorMappers.register(configuration, environment, registry);
        // A refused request's unread body would make Jetty drop the keep-alive connection without saying so.
        environment.jersey().register(new UnreadBodyDrain());
        ApiKeyAuth.register(environment.jersey(), configuration.getApiKeys());
        environment.jersey().register(new BodyLimitFilter(configuration.getBodyLimitBytes(),
                configuration.getBatchBodyLimitBytes()));
        configuration.getRateLimit().register(environment.jersey(), registry, "paystream.ingress",
                ApiKeyAuth.validAuthorization(configuration.getApiKeys()));
        environment.jersey().register(new MetricsApplicationEventListener(registry, new DefaultJerseyTagsProvider(),
                "http.server.requests", true));

        CommandPublisher publisher = configuration.getProducer().build(configuration.getKafka(), registry);
        environment.lifecycle().manage(publisher);
        Duration produceTimeout = configuration.getProducer().getProduceTimeout().toJavaDuration();
        PaymentLookup queryApi = configuration.getQueryApi().build();
        PaymentIds ids = new PaymentIds(configuration.getPaymentIdSecret());
        environment.jersey().register(new PaymentsResource(publisher, produceTimeout, ids, queryApi,
                configuration.getMinHoldSeconds()));
        environment.jersey().register(new PaymentBatchesResource(publisher, produceTimeout, ids,
                configuration.getMinHoldSeconds()));
        environment.jersey().register(new AccountsResource(publisher, produceTimeout));
        environment.jersey().register(new BalanceMonitorsResource(publisher, produceTimeout, ids, queryApi));
        EndpointRegistry endpoints = new EndpointRegistry(configuration.getKafka(), "paystream-ingress-webhooks");
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                endpoints.close();
            }
        });
        // An endpoint receives what its client's keys allow now, not what they allowed when it was registered.
        environment.lifecycle().manage(new EndpointPrivilegesSync(endpoints, publisher,
                ApiKeyFactory.clients(configuration.getApiKeys()), Clock.systemUTC()));
        // Loopback receivers only on a laptop: in production a loopback URL would reach the ingress's own host.
        UrlPolicy urls = new UrlPolicy(PayStreamConfiguration.LOCAL.equals(configuration.getProfile()));
        environment.jersey().register(new WebhookEndpointsResource(publisher, produceTimeout, endpoints, urls,
                queryApi, Clock.systemUTC()));
        environment.jersey().register(new OpenApiResource());

        KafkaHealthCheck kafka = new KafkaHealthCheck(configuration.getKafka(), HEALTH_TIMEOUT);
        environment.lifecycle().manage(kafka);
        environment.healthChecks().register("kafka", kafka);
    }

    /**
     * Amounts are money: {@code 10.5}, {@code 1e3} and {@code "10"} must be refused, not rounded or coerced. Unknown
     * and duplicated fields are refused too, so that a typo never silently drops a field.
     */
    static void makeJsonStrict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
}
