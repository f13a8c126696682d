package io.paystream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void readsTheTicksAfterANameWithSpacesAndParentheses() {
        String stat = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 0 0 20 0 40 0 100 0 0";
        assertThat(ThreadCpu.cpuTicks(stat)).isEqualTo(1234 + 56);
        assertThat(ThreadCpu.cpuTicks("7 (a) b) (c) R 1 7 7 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 0 0"))
                .isEqualTo(15);
    }

    @Test
    void readsTheRunQueueWaitFromSchedstat() {
        assertThat(ThreadCpu.runQueueNanos("112642976 19435587 613\n")).isEqualTo(19_435_587L);
    }

    @Test
    void groupsThreadsByWhatTheyDo() {
        assertThat(ThreadCpu.group("paystream-proce")).isEqualTo("Kafka Streams threads");
        assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(ThreadCpu.group("C1 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(ThreadCpu.group("kafka-producer-")).isEqualTo("producer I/O");
        assertThat(ThreadCpu.group("Signal Dispatch")).isEqualTo("other");
    }

    @Test
    void countsABusyThreadOfThisProcessUnderItsGroup() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ThreadCpu cpu = ThreadCpu.start(ProcessHandle.current().pid());
        Thread spinner = new Thread(() -> {
            long until = System.nanoTime() + 5_000_000_000L;
            while (!stop.get() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }, "paystream-processor-test-StreamThread-1");
        spinner.start();
        Map<String, Double> cores;
        try {
            Thread.sleep(500);
            // Read while the thread lives: a thread that has ended leaves /proc, and its time with it.
            cores = cpu.coresUsed();
        } finally {
            stop.set(true);
            spinner.join();
        }
        // One thread spinning for the whole stretch: most of a core (less if the machine is busy), never above one.
        assertThat(cores.get("Kafka Streams threads")).isBetween(0.2, 1.05);
    }
}
