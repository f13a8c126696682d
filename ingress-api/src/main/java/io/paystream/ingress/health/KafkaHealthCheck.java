package io.paystream.ingress.health;

import com.codahale.metrics.health.HealthCheck;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/** Healthy while the Kafka cluster answers a describe-cluster call within the timeout and has brokers. */
public final class KafkaHealthCheck extends HealthCheck implements Managed {
    private final Map<String, Object> properties;
    private final Duration timeout;
    private volatile Admin admin;

    public KafkaHealthCheck(Map<String, String> kafka, Duration timeout) {
        this.properties = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                properties.put(key, value);
            }
        });
        this.timeout = timeout;
    }

    @Override
    public void start() {
        admin = Admin.create(properties);
    }

    @Override
    public void stop() {
        if (admin != null) {
            admin.close(timeout);
        }
    }

    @Override
    protected Result check() throws Exception {
        if (admin == null) {
            return Result.unhealthy("not started");
        }
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return nodes.isEmpty() ? Result.unhealthy("the cluster has no brokers")
                    : Result.healthy("%d broker(s) reachable", nodes.size());
        } catch (java.util.concurrent.TimeoutException e) {
            return Result.unhealthy("Kafka did not answer within %s", timeout);
        }
    }
}
