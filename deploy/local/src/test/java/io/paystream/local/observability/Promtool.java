package io.paystream.local.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' {@code promtool} (Debian's {@code prometheus} package, which {@code .ci/run} installs). A missing
 * promtool fails the test that needs it, with the command that installs it.
 */
final class Promtool {
    /** promtool check metrics: the exposition parsed, but lint found problems (exit 3 in promtool 2.x). */
    static final int LINT_PROBLEMS = 3;

    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /** Runs {@code promtool <args>} in {@code directory}, feeding {@code stdin} when not null. */
    static Result run(Path directory, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is not installed: apt-get install -y prometheus "
                    + "(.ci/run does this)", e);
        }
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
