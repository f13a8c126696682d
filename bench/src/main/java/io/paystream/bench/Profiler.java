package io.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * JDK Flight Recorder on a running app of the stack, started and dumped with {@code jcmd} as an operator would, and a
 * summary of where its CPU samples fall: by the method on top of the stack (self) and by every method on the stack
 * (total).
 */
final class Profiler {
    /** Where the time goes, by whose code is on the stack; a sample can count for several. */
    private static final Map<String, String> LIBRARIES = Map.ofEntries(
            Map.entry("PayStream (io.paystream)", "io.paystream."),
            Map.entry("OpenTelemetry agent", "io.opentelemetry."),
            Map.entry("Avro", "org.apache.avro."),
            Map.entry("Kafka producer", "org.apache.kafka.clients.producer."),
            Map.entry("Kafka consumer", "org.apache.kafka.clients.consumer."),
            Map.entry("RocksDB", "org.rocksdb."),
            Map.entry("Jersey", "org.glassfish.jersey."),
            Map.entry("Jackson", "com.fasterxml.jackson."),
            Map.entry("Logback", "ch.qos.logback."),
            Map.entry("Hibernate Validator", "org.hibernate.validator."),
            Map.entry("Micrometer", "io.micrometer."));

    private final long pid;
    private final Path file;

    private Profiler(long pid, Path file) {
        this.pid = pid;
        this.file = file;
    }

    static Profiler start(long pid, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        jcmd(pid, "JFR.start", "name=bench", "settings=profile");
        return new Profiler(pid, file);
    }

    /** Dumps and stops the recording; returns the summary. */
    String stop(String title, int top) throws IOException, InterruptedException {
        jcmd(pid, "JFR.dump", "name=bench", "filename=" + file.toAbsolutePath());
        jcmd(pid, "JFR.stop", "name=bench");
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> libraries = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            Set<String> libraryHits = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (seen.add(name)) {
                    total.merge(name, 1, Integer::sum);
                }
                LIBRARIES.forEach((library, prefix) -> {
                    if (name.startsWith(prefix)) {
                        libraryHits.add(library);
                    }
                });
            }
            libraryHits.forEach(library -> libraries.merge(library, 1, Integer::sum));
        }
        StringBuilder summary = new StringBuilder(title + ": " + samples + " CPU samples (" + file + ")\n");
        summary.append("  by library (samples with it anywhere on the stack):\n");
        append(summary, libraries, samples, LIBRARIES.size());
        summary.append("  self (top of stack):\n");
        append(summary, self, samples, top);
        summary.append("  total (anywhere on the stack), PayStream and library code:\n");
        Map<String, Integer> interesting = new HashMap<>();
        total.forEach((name, count) -> {
            if (!name.startsWith("java.lang.Thread.") && !name.contains(".run(")
                    && !name.startsWith("java.util.concurrent.")) {
                interesting.put(name, count);
            }
        });
        append(summary, interesting, samples, top);
        return summary.toString();
    }

    private static void append(StringBuilder summary, Map<String, Integer> counts, int samples, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(entry -> summary.append(String.format("    %5.1f%%  %s%n",
                        100.0 * entry.getValue() / Math.max(1, samples), entry.getKey())));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + "()";
    }

    static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid)));
        arguments.addAll(List.of(command));
        Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
    }
}
