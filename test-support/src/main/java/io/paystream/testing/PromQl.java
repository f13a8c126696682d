package io.paystream.testing;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression reads, for tests that check dashboards and alert rules against real
 * {@code /metrics} output. Not a parser: it removes what cannot be a metric name (strings, label matchers, ranges,
 * grouping clauses, Grafana variables, numbers and durations) and keeps identifiers that are not functions or
 * keywords.
 */
public final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan", "atan2");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\w+");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private PromQl() {
    }

    /** The metric names {@code expression} selects. */
    public static Set<String> metricNames(String expression) {
        String rest = STRING.matcher(expression).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        rest = VARIABLE.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            String name = identifier.group(1);
            boolean call = identifier.group(2) != null;
            if (!call && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !isNumberOrDuration(rest,
                    identifier.start(1))) {
                names.add(name);
            }
        }
        return names;
    }

    /** True for the unit letters of a number like 1e9 or a duration like 5m, which the identifier pattern sees. */
    private static boolean isNumberOrDuration(String text, int start) {
        return start > 0 && Character.isDigit(text.charAt(start - 1));
    }
}
