package io.paystream.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.servlets.assets.AssetServlet;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.console.simulator.SimulatorResource;
import io.paystream.console.simulator.TrafficSimulator;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Pattern;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processor's {@code console} block: the operator console at {@code /console/} on the query API's port, and the
 * traffic simulator's API. {@code ingressUrl} is where the console sends writes (payments, actions, account changes)
 * and the simulator its traffic; without it the console only reads, and the simulator is off. The simulator is also
 * off unless the ingress is on a loopback address.
 */
public class ConsoleFactory {
    /** Where the bundle is on the classpath (console/pom.xml builds it there). */
    static final String ASSETS = "/console";

    @JsonProperty
    private boolean enabled = true;

    @JsonProperty
    @Pattern(regexp = "^(https?://[^/?#]+/?)?$", message = "must be an http(s) origin such as http://127.0.0.1:8080")
    private String ingressUrl;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getIngressUrl() {
        return ingressUrl;
    }

    public void setIngressUrl(String ingressUrl) {
        this.ingressUrl = ingressUrl;
    }

    /**
     * Serves the console and registers the simulator's API (disabled, saying why, when it may not run).
     *
     * @param history whether this processor serves account history (it has the database), so the console shows it
     */
    public void register(Environment environment, MeterRegistry registry, boolean history) {
        URI ingress = ingressUrl == null || ingressUrl.isBlank() ? null
                : URI.create(ingressUrl.endsWith("/") ? ingressUrl : ingressUrl + "/");
        String disabled = ingress == null ? "the simulator is off: this processor has no console.ingressUrl"
                : !isLoopback(ingress.getHost()) ? "the simulator posts only to an ingress on a loopback address, and "
                        + "console.ingressUrl is " + ingressUrl : null;
        TrafficSimulator simulator = disabled == null ? new TrafficSimulator(ingress, Clock.systemUTC(), registry)
                : null;
        if (simulator != null) {
            environment.lifecycle().manage(new io.dropwizard.lifecycle.Managed() {
                @Override
                public void stop() {
                    simulator.close();
                }
            });
        }
        environment.jersey().register(new SimulatorResource(simulator, disabled));
        if (!enabled) {
            return;
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ingressUrl", ingress == null ? null : ingressUrl.replaceAll("/$", ""));
        config.put("simulator", simulator != null);
        config.put("history", history);
        // The console reads and types amounts in each currency's own decimals, from the table the server checks with.
        config.put("minorUnits", new java.util.TreeMap<>(
                io.paystream.schemas.validation.Money.minorUnitsOtherThanTwo()));
        byte[] configJson = writeJson(config);
        environment.servlets().addServlet("console-config", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("application/json");
                response.setHeader("Cache-Control", "no-store");
                response.getOutputStream().write(configJson);
            }
        }).addMapping(ASSETS + "/config.json");
        environment.servlets().addServlet("console", new AssetServlet(ASSETS, ASSETS, "index.html",
                StandardCharsets.UTF_8)).addMapping(ASSETS + "/*");
        String policy = "default-src 'self'; connect-src 'self'" + (ingress == null ? "" : " " + origin(ingress))
                + "; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
        Filter headers = (request, response, chain) -> {
            HttpServletResponse http = (HttpServletResponse) response;
            // The key lives in this page's session storage: no script from anywhere else, no framing.
            http.setHeader("Content-Security-Policy", policy);
            http.setHeader("X-Content-Type-Options", "nosniff");
            http.setHeader("Referrer-Policy", "no-referrer");
            chain.doFilter(request, response);
        };
        environment.servlets().addFilter("console-headers", headers)
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, ASSETS + "/*");
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] writeJson(Map<String, Object> value) {
        try {
            return new ObjectMapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
