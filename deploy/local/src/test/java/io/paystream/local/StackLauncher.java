package io.paystream.local;

import io.paystream.testing.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code make run} launcher as a separate process, with its output collected line by line: tests start the
 * whole stack exactly as a developer does, on free ports and in their own data directory.
 */
public final class StackLauncher {
    public static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    /** The last line of the banner: once it is printed, everything is up. */
    public static final String READY = "/v1/payments/<paymentId>";

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public StackLauncher(Map<String, String> environment) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-cp",
                target.resolve("local-stack-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*",
                "io.paystream.local.LocalStack").directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("<output closed: " + e + ">");
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * An environment for a stack in {@code home} with every port free and no two alike: the kernel may hand the
     * same ephemeral port to two probes in a row, and the launcher rightly refuses a port set for two services.
     */
    public static Map<String, String> environment(Path home) {
        Map<String, String> environment = new HashMap<>();
        environment.put("PAYSTREAM_ROOT", ROOT.toString());
        environment.put("PAYSTREAM_HOME", home.toString());
        Set<Integer> chosen = new HashSet<>();
        for (String port : List.of("PAYSTREAM_KAFKA_PORT", "PAYSTREAM_KAFKA_CONTROLLER_PORT",
                "PAYSTREAM_PROCESSOR_PORT", "PAYSTREAM_PROCESSOR_ADMIN_PORT", "PAYSTREAM_INGRESS_PORT",
                "PAYSTREAM_INGRESS_ADMIN_PORT", "PAYSTREAM_POSTGRES_PORT", "PAYSTREAM_CONNECT_PORT",
                "PAYSTREAM_SMTP_PORT", "PAYSTREAM_ACQUIRER_PORT")) {
            int free = FreePorts.next();
            while (!chosen.add(free)) {
                free = FreePorts.next();
            }
            environment.put(port, String.valueOf(free));
        }
        return environment;
    }

    public Process process() {
        return process;
    }

    public String output() {
        return String.join("\n", lines);
    }

    /** True once the banner is complete, or the launcher has exited (then {@link #output()} says why). */
    public boolean readyOrExited() {
        return output().contains(READY) || !process.isAlive();
    }

    /** SIGTERM through the handle: Process.destroy() would also close our end of its output pipe. */
    public void stop() {
        process.toHandle().destroy();
    }
}
