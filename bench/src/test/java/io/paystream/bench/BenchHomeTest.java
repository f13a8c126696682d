package io.paystream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run wipes its home first: never a directory that a run did not make. */
class BenchHomeTest {
    @Test
    void refusesToWipeADirectoryItDidNotMake(@TempDir Path home) throws Exception {
        Path precious = Files.writeString(home.resolve("notes.txt"), "keep me");
        PrintStream out = new PrintStream(new ByteArrayOutputStream());

        assertThatThrownBy(() -> Bench.run(new Report(out), BenchSize.SMOKE, new HashSet<>(Bench.SECTIONS), false,
                Path.of(".."), home, null, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was not made by a benchmark run");
        assertThat(precious).hasContent("keep me");
    }
}
