package io.paystream.processor;

import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.paystream.processor.intake.DirectProducerFactory;
import io.paystream.processor.replay.Replay;
import io.paystream.processor.stats.StatsScopes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code replay <config.yml>}: replays the retained requests through this build's topology under a shadow application
 * id, with the settings {@code config.yml} gives the live processor, and reports every account and payment decided
 * otherwise than live ({@link Replay}). Exits 1 when there is any difference, so that a deploy can be gated on it.
 */
public final class ReplayCommand extends ConfiguredCommand<ProcessorConfiguration> {
    /** How many differences are printed; the count is always printed. */
    private static final int SHOWN_MAX = 50;

    public ReplayCommand() {
        super("replay", "Replay the retained requests through this build under a shadow application id and report "
                + "every account balance and payment status it decides otherwise than the live processor did");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--timeout-seconds").dest("timeout").type(Integer.class).setDefault(600)
                .help("how long the shadow may take to catch up (default 600)");
        subparser.addArgument("--keep").dest("keep").action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
                .help("leave the shadow's topics in place (they are deleted by default)");
    }

    @Override
    protected void run(Bootstrap<ProcessorConfiguration> bootstrap, Namespace namespace,
            ProcessorConfiguration configuration) throws Exception {
        List<String> inputs = new ArrayList<>(Replay.REQUEST_TOPICS);
        for (DirectProducerFactory producer : configuration.getDirectProducers()) {
            inputs.add(producer.topic().name());
            inputs.add(producer.batchTopic().name());
        }
        Replay replay = new Replay(configuration.getKafka(), configuration.getStreams().getApplicationId(),
                configuration.getStreams().topologySettings(configuration.getDirectProducers(),
                        new StatsScopes(configuration.clients()), configuration.getMinHoldSeconds()),
                inputs, configuration.getStreams().getReplicationFactor(),
                Duration.ofSeconds(namespace.getInt("timeout")), namespace.getBoolean("keep"));
        Replay.Report report = replay.run();
        System.out.printf("replayed %d request records under %s: %d accounts and %d payments compared with %s%n",
                report.requests(), report.shadowApplicationId(), report.accounts(), report.payments(),
                configuration.getStreams().getApplicationId());
        report.differences().stream().limit(SHOWN_MAX).forEach(difference -> System.out.println("  " + difference));
        if (report.differences().size() > SHOWN_MAX) {
            System.out.printf("  ... and %d more%n", report.differences().size() - SHOWN_MAX);
        }
        if (report.differences().isEmpty()) {
            System.out.println("no differences: this build decides the retained history exactly as the live one did");
            return;
        }
        System.out.printf("%d differences%n", report.differences().size());
        throw new ReplayDiffers(report.differences().size());
    }

    /** The differences are the answer, already printed: no stack trace for them. */
    @Override
    public void onError(io.dropwizard.core.cli.Cli cli, Namespace namespace, Throwable e) {
        if (e instanceof ReplayDiffers) {
            cli.getStdErr().println(e.getMessage());
        } else {
            super.onError(cli, namespace, e);
        }
    }

    /** Makes the command exit 1: this build decides some of history otherwise. */
    static final class ReplayDiffers extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayDiffers(int differences) {
            super(differences + " accounts or payments are decided otherwise on replay");
        }
    }
}
