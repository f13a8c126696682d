package io.paystream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's findings: one row per figure, each with the method that produced it, printed as one table and
 * written as JSON. Rows are added as sections finish, so a run cut short still reports what it measured.
 */
final class Report {
    /**
     * One figure.
     *
     * @param section what part of the system it measures
     * @param figure what the number is
     * @param value the number, formatted, with its unit
     * @param method how it was measured
     */
    record Row(String section, String figure, String value, String method) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> numbers = new LinkedHashMap<>();
    private final Map<String, Object> context = new LinkedHashMap<>();
    private final PrintStream progress;

    Report(PrintStream progress) {
        this.progress = progress;
    }

    /** Adds a row and prints it at once as progress. */
    synchronized void add(String section, String figure, String value, String method) {
        rows.add(new Row(section, figure, value, method));
        progress.printf("  %-10s %-44s %s%n", section, figure, value);
        progress.flush();
    }

    /** A raw number for the JSON file (and for the smoke test's checks), under a dotted key. */
    synchronized void number(String key, double value) {
        numbers.put(key, value);
    }

    synchronized Double number(String key) {
        Object value = numbers.get(key);
        return value == null ? null : (Double) value;
    }

    synchronized void context(String key, Object value) {
        context.put(key, value);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    synchronized void printTable(PrintStream out) {
        int section = "section".length();
        int figure = "figure".length();
        int value = "value".length();
        for (Row row : rows) {
            section = Math.max(section, row.section().length());
            figure = Math.max(figure, row.figure().length());
            value = Math.max(value, row.value().length());
        }
        String format = "| %-" + section + "s | %-" + figure + "s | %" + value + "s | %s |%n";
        out.printf(format, "section", "figure", "value", "method");
        out.printf("|%s|%s|%s|%s|%n", "-".repeat(section + 2), "-".repeat(figure + 2), "-".repeat(value + 1) + ":",
                "---");
        for (Row row : rows) {
            out.printf(format, row.section(), row.figure(), row.value(), row.method());
        }
        out.flush();
    }

    synchronized void writeJson(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("context", context);
        document.put("numbers", numbers);
        document.put("rows", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), document);
    }
}
