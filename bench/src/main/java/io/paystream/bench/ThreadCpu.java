package io.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of one JVM's threads over a stretch of the run, in cores, grouped by what the threads do: whether a process
 * is busy processing, or compiling, collecting or waiting. Linux only: read from {@code /proc/<pid>/task}, where a
 * thread's name is the first 15 characters of its Java name.
 */
final class ThreadCpu {
    /** Linux reports thread CPU in clock ticks of 1/100 s (USER_HZ) on every architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100;
    /** Name prefixes, in order; the first that matches names the group. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("paystream-proce", "Kafka Streams threads"),
            Map.entry("C1 CompilerThre", "JIT compilers"),
            Map.entry("C2 CompilerThre", "JIT compilers"),
            Map.entry("kafka-producer-", "producer I/O"),
            Map.entry("VM Thread", "GC and VM"),
            Map.entry("GC Thread", "GC and VM"),
            Map.entry("dw-", "HTTP"));

    private final long pid;
    private final Map<String, Long> before;
    private final long startNanos;

    private ThreadCpu(long pid) {
        this.pid = pid;
        this.before = ticksByGroup(pid);
        this.startNanos = System.nanoTime();
    }

    static ThreadCpu start(long pid) {
        return new ThreadCpu(pid);
    }

    /** Cores used by each group of threads since {@link #start}, busiest first. */
    Map<String, Double> coresUsed() {
        double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> cores = new TreeMap<>();
        ticksByGroup(pid).forEach((group, ticks) -> {
            double used = (ticks - before.getOrDefault(group, 0L)) / TICKS_PER_SECOND / wallSeconds;
            if (used > 0) {
                cores.put(group, used);
            }
        });
        return cores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    static String group(String threadName) {
        return GROUPS.stream().filter(entry -> threadName.startsWith(entry.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("other");
    }

    private static Map<String, Long> ticksByGroup(long pid) {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    ticks.merge(group(name), cpuTicks(Files.readString(task.resolve("stat"))), Long::sum);
                } catch (IOException e) {
                    // the thread ended between the listing and the read: its time is lost, as for any process
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of process " + pid
                    + " (this figure needs Linux's /proc)", e);
        }
        return ticks;
    }

    /** utime + stime, fields 14 and 15 of {@code stat}, counted after the name, which may hold spaces. */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
