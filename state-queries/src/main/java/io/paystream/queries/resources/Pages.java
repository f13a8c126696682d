package io.paystream.queries.resources;

import io.paystream.queries.history.Cursors;
import io.paystream.web.errors.ApiException;
import java.util.OptionalLong;

/** The {@code limit} and {@code after} parameters of the paginated APIs. */
final class Pages {
    private Pages() {
    }

    /**
     * {@code limit} as a page size: {@code fallback} when absent.
     *
     * @throws ApiException 422 naming {@code limit} when it is not an integer from 1 to {@code max}
     */
    static int limit(String limit, int fallback, int max) {
        if (limit == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Falls through to the 422 below, which names the field and the range.
        }
        throw ApiException.invalidField("limit", "limit must be an integer from 1 to " + max);
    }

    /**
     * The position {@code after} names: a cursor from a previous page's {@code next}, or {@code absent} when none.
     *
     * @throws ApiException 422 naming {@code after} when it is not a cursor this API issued
     */
    static long after(String after, long absent) {
        if (after == null) {
            return absent;
        }
        OptionalLong parsed = Cursors.parse(after);
        if (parsed.isEmpty()) {
            throw ApiException.invalidField("after", "after must be a cursor from a previous page's next");
        }
        return parsed.getAsLong();
    }
}
