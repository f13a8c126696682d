package io.paystream.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every schema version that was ever released, read from the classpath at
 * {@code /avro-history/<RecordName>/v<N>.avsc} for N = 1, 2, 3... until the first missing file. Each file is the full,
 * self-contained schema (named types inlined), so it parses on its own.
 *
 * <p>Releasing a changed schema means adding the next {@code vN.avsc}; {@code SchemaHistoryTest} fails until it is there.
 */
public final class SchemaHistory {
    private static final String ROOT = "/avro-history/";

    private SchemaHistory() {
    }

    /** The released versions of the record with this simple name, oldest first. Empty if none were released. */
    public static List<Schema> versionsOf(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = ROOT + recordName + "/v" + version + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read historical schema " + path, e);
            }
        }
    }
}
