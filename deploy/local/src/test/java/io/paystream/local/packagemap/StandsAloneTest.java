package io.paystream.local.packagemap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: no file it tracks points a reader at a design, style or recipe document that a
 * clone does not have. What a reader needs is in docs/ (architecture.md first).
 */
class StandsAloneTest {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    /** Spelt in pieces, so that this file does not match itself. */
    private static final Pattern OUTSIDE = Pattern.compile("\\b(DESIGN|RECIPES|STYLE)\\.md\\b|\\.\\./" + "shared/");

    @Test
    void noTrackedFileCitesADocumentOutsideTheRepository() throws Exception {
        Process git = new ProcessBuilder("git", "ls-files").directory(ROOT.toFile()).start();
        List<String> files = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(files).as("tracked files").hasSizeGreaterThan(300).contains("docs/architecture.md");
        List<String> citations = new ArrayList<>();
        for (String file : files) {
            Path path = ROOT.resolve(file);
            if (!Files.isRegularFile(path) || Files.size(path) > 2_000_000) {
                continue;
            }
            String text;
            try {
                text = Files.readString(path);
            } catch (IOException e) {
                continue; // not UTF-8 text: an image or a jar
            }
            text.lines().filter(line -> OUTSIDE.matcher(line).find()).forEach(line -> citations.add(file + ": "
                    + line.strip()));
        }
        assertThat(citations).isEmpty();
    }
}
