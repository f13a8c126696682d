package io.paystream.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of the stack: started with its output appended to a log file, waited for until ready, and stopped with
 * SIGTERM (so it shuts down cleanly) and, only if that takes too long, killed.
 */
public final class ChildProcess {
    /** Enough for Kafka Streams to commit and close, or a broker to flush; past it the process is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private final String name;
    private final Path log;
    private final Process process;

    private ChildProcess(String name, Path log, Process process) {
        this.name = Objects.requireNonNull(name, "name");
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java <jvmArgs> -cp <classpath> <mainClass> <args>} with extra environment variables. */
    public static ChildProcess start(String name, Path workingDir, Path log, String classpath, List<String> jvmArgs,
            String mainClass, List<String> args, Map<String, String> environment) throws IOException {
        Files.createDirectories(log.getParent());
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new ChildProcess(name, log, builder.start());
    }

    /** Runs a child to completion (a one-off tool) and fails with its log if it does not exit 0. */
    public static void runToCompletion(String name, Path workingDir, Path log, String classpath, String mainClass,
            List<String> args, Duration timeout) throws IOException, InterruptedException {
        ChildProcess child = start(name, workingDir, log, classpath, List.of("-Xmx256m"), mainClass, args, Map.of());
        if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            child.process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + timeout + "; see " + log);
        }
        if (child.process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed with exit code " + child.process.exitValue() + "; see "
                    + log);
        }
    }

    /** Waits until something accepts connections on the port, or fails if the process died or time ran out. */
    public void awaitPort(int port, Duration timeout) throws InterruptedException {
        awaitReady(timeout, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), (int) POLL.toMillis());
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "port " + port);
    }

    /** Waits until the Dropwizard health check on the admin port answers 200. */
    public void awaitHealthy(int adminPort, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(POLL).build();
        URI uri = URI.create("http://127.0.0.1:" + adminPort + "/healthcheck");
        awaitReady(timeout, () -> {
            try {
                return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }, "a healthy /healthcheck on port " + adminPort);
    }

    private void awaitReady(Duration timeout, Check check, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; see " + log);
            }
            if (check.ready()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
        throw new IllegalStateException(name + " did not offer " + what + " within " + timeout + "; see " + log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    /** SIGTERM, then waits; kills only if the process does not stop in time. */
    public void stop() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * SIGTERM to every one at once, then waits for each; kills those that do not stop in time. For the brokers of a
     * cluster: stopped one after another, the last ones would wait for a controller quorum that is already gone.
     */
    public static void stopTogether(java.util.List<ChildProcess> children) throws InterruptedException {
        for (ChildProcess child : children) {
            if (child.process.isAlive()) {
                child.process.destroy();
            }
        }
        for (ChildProcess child : children) {
            child.stop();
        }
    }

    /** SIGKILL, as a crash would: no shutdown hooks, no flush, no commit. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    @FunctionalInterface
    private interface Check {
        boolean ready() throws InterruptedException;
    }
}
