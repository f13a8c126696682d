package io.paystream.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A process's memory and a directory's size, read from outside the process as an operator would. */
final class Memory {
    private static final Pattern HEAP_USED = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+(\\S+)$", Pattern.MULTILINE);
    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB$", Pattern.MULTILINE);

    private Memory() {
    }

    /** Runs a full GC in {@code pid} with jcmd, then sums the heap pools' used bytes from its Prometheus metrics. */
    static long heapUsedAfterGc(long pid, String adminUrl) throws IOException, InterruptedException {
        Profiler.jcmd(pid, "GC.run");
        // A scrape can fail while the instance is busy (a 500 from a gauge of a store being moved): try a few times.
        String last = "no answer";
        for (int attempt = 0; attempt < 5; attempt++) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(adminUrl + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher matcher = HEAP_USED.matcher(response.body());
            double used = 0;
            boolean found = false;
            while (matcher.find()) {
                used += Double.parseDouble(matcher.group(1));
                found = true;
            }
            if (response.statusCode() == 200 && found) {
                return (long) used;
            }
            last = response.statusCode() + ": " + response.body().substring(0, Math.min(300, response.body().length()));
            TimeUnit.SECONDS.sleep(2);
        }
        throw new IllegalStateException("no jvm_memory_used_bytes{area=\"heap\"} in " + adminUrl + "/metrics ("
                + last + ")");
    }

    /** The resident set of {@code pid}, from /proc. */
    static long rssBytes(long pid) throws IOException {
        Matcher matcher = RSS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
        if (!matcher.find()) {
            throw new IllegalStateException("no VmRSS for process " + pid);
        }
        return Long.parseLong(matcher.group(1)) * 1024;
    }

    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0; // a file RocksDB removed while we walked
                }
            }).sum();
        }
    }

    static String mebibytes(long bytes) {
        return String.format("%,.0f MiB", bytes / (1024.0 * 1024.0));
    }
}
