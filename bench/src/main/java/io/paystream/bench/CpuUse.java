package io.paystream.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time that each process of the stack (PostgreSQL with its backends, and the load generator itself) used over a
 * stretch of the run, in cores:
 * which process a figure is bound by, on a machine where they all share two cores.
 */
final class CpuUse {
    /** The key of {@link #microsPer}'s sum over the stack's processes, the load generator excluded. */
    static final String STACK = "stack";
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Duration> before;
    private final long startNanos;

    private CpuUse(Map<String, ProcessHandle> processes) {
        this.processes = new LinkedHashMap<>(processes);
        this.processes.put("bench", ProcessHandle.current());
        this.before = cpuTimes();
        this.startNanos = System.nanoTime();
    }

    static CpuUse start(Map<String, ProcessHandle> processes) {
        return new CpuUse(processes);
    }

    /** Cores used by each process since {@link #start}: its CPU time divided by the wall time. */
    Map<String, Double> coresUsed() {
        double wall = System.nanoTime() - startNanos;
        Map<String, Double> cores = new LinkedHashMap<>();
        cpuNanosSinceStart().forEach((name, nanos) -> cores.put(name, nanos / wall));
        return cores;
    }

    /**
     * CPU time each process used since {@link #start}, in microseconds per unit of work ({@code units} payments or
     * requests), plus {@code stack}: the sum over every process but this load generator. Unlike a rate, this carries
     * over from a saturated 2-core machine to a bigger one.
     */
    Map<String, Double> microsPer(long units) {
        Map<String, Double> micros = new LinkedHashMap<>();
        cpuNanosSinceStart().forEach((name, nanos) -> micros.put(name, nanos / 1e3 / units));
        micros.put(STACK, micros.entrySet().stream().filter(entry -> !entry.getKey().equals("bench"))
                .mapToDouble(Map.Entry::getValue).sum());
        return micros;
    }

    /** CPU nanoseconds of each process since {@link #start}; a process that was not there then is left out. */
    private Map<String, Long> cpuNanosSinceStart() {
        Map<String, Long> used = new LinkedHashMap<>();
        cpuTimes().forEach((name, time) -> {
            Duration start = before.get(name);
            if (start != null) {
                used.put(name, time.minus(start).toNanos());
            }
        });
        return used;
    }

    /** {@code "processor 210 µs, kafka 160 µs, ..."}, for {@link #microsPer}. */
    static String describeMicros(Map<String, Double> micros) {
        return micros.entrySet().stream().map(entry -> String.format("%s %,.0f µs", entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", "));
    }

    static String describe(Map<String, Double> cores) {
        return cores.entrySet().stream().map(entry -> String.format("%s %.2f", entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", "));
    }

    private Map<String, Duration> cpuTimes() {
        Map<String, Duration> times = new LinkedHashMap<>();
        processes.forEach((name, handle) -> handle.info().totalCpuDuration().ifPresent(time -> times.put(name,
                name.equals("postgres") ? withChildren(handle, time) : time)));
        return times;
    }

    /**
     * The postmaster and its backends (one per connection). A backend that ends in between takes its CPU time with
     * it, so the figure is a lower bound; the sinks' connections live as long as the run.
     */
    private static Duration withChildren(ProcessHandle parent, Duration own) {
        return parent.children().map(child -> child.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(own, Duration::plus);
    }
}
