package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The {@code make run} launcher's refusals, each before anything starts: a taken port, a data directory of another
 * stack size. (The launcher's full start, its banner, a second start refused and the stop on SIGTERM are checked by
 * ObservabilityIT, which runs the whole stack through it.)
 */
@ResourceLock(value = StackSlots.MACHINE, mode = ResourceAccessMode.READ)
class LocalStackIT {
    @Test
    void refusesToStartWhenAPortIsTaken() throws Exception {
        Map<String, String> environment = StackLauncher.environment(Files.createTempDirectory("paystream-home"));
        int taken = Integer.parseInt(environment.get("PAYSTREAM_INGRESS_PORT"));
        try (ServerSocket squatter = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
            assertThat(squatter.isBound()).isTrue();
            StackLauncher stack = new StackLauncher(environment);
            assertThat(stack.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(stack.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(stack.output())
                    .contains("already in use"));
            assertThat(stack.output()).contains("port " + taken).contains("PAYSTREAM_INGRESS_PORT")
                    .doesNotContain("Exception");
        }
    }

    /**
     * {@code make cluster} keeps its data apart: a data directory that holds a stack of another size is refused with
     * a clear message before anything starts. (The cluster itself, three brokers with three replicas of every topic
     * and two processors, is started and checked by ClusterChaosIT, which runs the same LocalCluster.)
     */
    @Test
    void aDataDirectoryOfAnotherStackSizeIsRefused() throws Exception {
        Path home = Files.createTempDirectory("paystream-cluster-home");
        Files.writeString(home.resolve("brokers"), "3\n");
        Map<String, String> environment = StackLauncher.environment(home);
        environment.put("PAYSTREAM_BROKERS", "1");
        StackLauncher single = new StackLauncher(environment);
        assertThat(single.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(single.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> single.output().contains("holds a stack of 3 broker(s)"));
        assertThat(home.resolve("kafka")).doesNotExist();
    }
}
