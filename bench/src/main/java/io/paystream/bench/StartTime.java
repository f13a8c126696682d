package io.paystream.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long {@code make run}'s launcher takes until the sinks run: the launcher itself ({@code LocalStack}, the same
 * class path), started in a directory of the benchmark's own, timed from its start to the banner's
 * {@code connect    sinks running} line, then stopped with SIGTERM as Ctrl-C would. The first start creates the
 * data; the second, with nothing changed, is what a developer waits for every day.
 */
final class StartTime {
    static final String READY_LINE = "connect    sinks running";
    private static final Duration LIMIT = Duration.ofMinutes(4);

    private StartTime() {
    }

    /** Starts the launcher with {@code home} as its data directory; returns the seconds until the sinks ran. */
    static double measure(Path root, Path home, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), "io.paystream.local.LocalStack"))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("PAYSTREAM_ROOT", root.toAbsolutePath().normalize().toString());
        builder.environment().put("PAYSTREAM_HOME", home.toAbsolutePath().normalize().toString());
        long started = System.nanoTime();
        Process launcher = builder.start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Long> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains(READY_LINE)) {
                        return System.nanoTime();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            Long at = ready.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (at == null) {
                throw new IllegalStateException("the launcher ended before its sinks ran:\n" + output);
            }
            return (at - started) / 1e9;
        } finally {
            launcher.destroy();
            if (!launcher.waitFor(2, TimeUnit.MINUTES)) {
                launcher.destroyForcibly();
            }
        }
    }
}
