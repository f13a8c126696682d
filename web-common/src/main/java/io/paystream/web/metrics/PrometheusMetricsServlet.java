package io.paystream.web.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** Serves the registry in the Prometheus text exposition format, for scrapes of the admin port's {@code /metrics}. */
public final class PrometheusMetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** The Prometheus text format, version 0.0.4, which every Prometheus server accepts. */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient PrometheusMeterRegistry registry;

    public PrometheusMetricsServlet(PrometheusMeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(CONTENT_TYPE);
        try (OutputStream out = response.getOutputStream()) {
            registry.scrape(out);
        }
    }
}
