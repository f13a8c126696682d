package io.paystream.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;
import io.paystream.console.ConsoleFactory;
import io.paystream.processor.health.StallWatchdogFactory;
import io.paystream.processor.kafka.StreamsFactory;
import io.paystream.web.config.PayStreamConfiguration;
import io.paystream.processor.intake.DirectProducerFactory;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.ApiKeyFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * The processor's YAML: the server ports, {@code kafka} (client properties passed through to every Kafka client,
 * {@code bootstrap.servers} at least), {@code streams} (how the topology runs), {@code stall} (when a processor that
 * makes no progress reports it and exits), {@code directProducers} (clients that write requests to a topic of their
 * own), the query API's {@code apiKeys} (hashes only) and forwarding timeout, and {@code console} (the operator
 * console and the traffic simulator).
 */
public class ProcessorConfiguration extends PayStreamConfiguration {

    @Valid
    @NotNull
    private StreamsFactory streams = new StreamsFactory();


    /** When a processor that makes no progress reports a stall, and when it exits to be restarted. */
    @Valid
    @NotNull
    private StallWatchdogFactory stall = new StallWatchdogFactory();

    /** The PostgreSQL copy of the journal that serves account history; without it, history answers 503. */
    @Valid
    private DataSourceFactory database;

    /** Clients that write payment requests to a topic of their own instead of calling the ingress. */
    @Valid
    @NotNull
    private List<DirectProducerFactory> directProducers = new ArrayList<>();

    /** The operator console at /console/ and the traffic simulator's API. */
    @Valid
    @NotNull
    private ConsoleFactory console = new ConsoleFactory();

    /** How long a query forwarded to the instance that owns the key may take before the answer is 503. */
    @NotNull
    private io.dropwizard.util.Duration queryForwardTimeout = io.dropwizard.util.Duration.seconds(2);

    /** Reported as "directProducersDistinct failed: ...". */
    @AssertTrue(message = "failed: two directProducers have the same clientId; each client has one topic and one entry")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isDirectProducersDistinct() {
        return directProducers.stream().map(DirectProducerFactory::getClientId).distinct().count()
                == directProducers.size();
    }

    /** Reported as "directProducerPrefixesDisjoint failed: ...". */
    @AssertTrue(message = "failed: a direct producer's ownedAccountPrefixes overlap another client's (an API key's or "
            + "another direct producer's), so an account would belong to both")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isDirectProducerPrefixesDisjoint() {
        return ApiClient.overlaps(clients()).isEmpty();
    }

    /** Every configured client: the direct producers and the API keys' clients. */
    public List<ApiClient> clients() {
        List<ApiClient> clients = new ArrayList<>(DirectProducerFactory.clients(directProducers));
        clients.addAll(ApiKeyFactory.clients(getApiKeys()));
        return clients;
    }

    @JsonProperty
    public List<DirectProducerFactory> getDirectProducers() {
        return directProducers;
    }

    @JsonProperty
    public void setDirectProducers(List<DirectProducerFactory> directProducers) {
        this.directProducers = directProducers;
    }

    @JsonProperty
    public DataSourceFactory getDatabase() {
        return database;
    }

    @JsonProperty
    public void setDatabase(DataSourceFactory database) {
        this.database = database;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getQueryForwardTimeout() {
        return queryForwardTimeout;
    }

    @JsonProperty
    public void setQueryForwardTimeout(io.dropwizard.util.Duration queryForwardTimeout) {
        this.queryForwardTimeout = queryForwardTimeout;
    }

    @JsonProperty
    public ConsoleFactory getConsole() {
        return console;
    }

    @JsonProperty
    public void setConsole(ConsoleFactory console) {
        this.console = console;
    }

    @JsonProperty
    public StallWatchdogFactory getStall() {
        return stall;
    }

    @JsonProperty
    public void setStall(StallWatchdogFactory stall) {
        this.stall = stall;
    }

    @JsonProperty
    public StreamsFactory getStreams() {
        return streams;
    }

    @JsonProperty
    public void setStreams(StreamsFactory streams) {
        this.streams = streams;
    }
}
