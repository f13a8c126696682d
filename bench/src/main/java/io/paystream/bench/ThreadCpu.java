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
    /** The group of the JIT compiler threads. */
    static final String JIT = "JIT compilers";
    /** Name prefixes, in order; the first that matches names the group. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("paystream-proce", "Kafka Streams threads"),
            Map.entry("C1 CompilerThre", JIT),
            Map.entry("C2 CompilerThre", JIT),
            Map.entry("kafka-producer-", "producer I/O"),
            Map.entry("VM Thread", "GC and VM"),
            Map.entry("GC Thread", "GC and VM"),
            Map.entry("dw-", "HTTP"));

    private final long pid;
    private final Map<String, long[]> before;
    private final long startNanos;

    private ThreadCpu(long pid) {
        this.pid = pid;
        this.before = timesByGroup(pid);
        this.startNanos = System.nanoTime();
    }

    static ThreadCpu start(long pid) {
        return new ThreadCpu(pid);
    }

    /** Cores used by each group of threads since {@link #start}, busiest first. */
    Map<String, Double> coresUsed() {
        return since((now, then) -> (now[0] - then[0]) / TICKS_PER_SECOND);
    }

    /**
     * Cores' worth of time each group's threads spent runnable but not running since {@link #start}: waiting in the
     * scheduler's run queue for a CPU that other threads or processes held. A thread that is slow with little CPU
     * time and little of this is blocked (on I/O, a lock or a broker); one with much of this is starved.
     */
    Map<String, Double> coresWaitingForCpu() {
        return since((now, then) -> (now[1] - then[1]) / 1e9);
    }

    private Map<String, Double> since(java.util.function.BiFunction<long[], long[], Double> seconds) {
        double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> cores = new TreeMap<>();
        timesByGroup(pid).forEach((group, now) -> {
            double used = seconds.apply(now, before.getOrDefault(group, new long[2])) / wallSeconds;
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

    /** Per group: {CPU ticks, nanoseconds waiting on a run queue}. */
    private static Map<String, long[]> timesByGroup(long pid) {
        Map<String, long[]> times = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    long[] sum = times.computeIfAbsent(group(name), g -> new long[2]);
                    sum[0] += cpuTicks(Files.readString(task.resolve("stat")));
                    sum[1] += runQueueNanos(Files.readString(task.resolve("schedstat")));
                } catch (IOException e) {
                    // the thread ended between the listing and the read: its time is lost, as for any process
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of process " + pid
                    + " (this figure needs Linux's /proc)", e);
        }
        return times;
    }

    /** The second field of {@code schedstat}: time spent runnable, waiting for a CPU, in nanoseconds. */
    static long runQueueNanos(String schedstat) {
        return Long.parseLong(schedstat.strip().split(" ", -1)[1]);
    }

    /** utime + stime, fields 14 and 15 of {@code stat}, counted after the name, which may hold spaces. */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
