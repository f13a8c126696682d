package io.paystream.sinks;

import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/** The sinks' database: migrated by Flyway when a task starts, then used through Jdbi. */
public final class SinkDatabase {
    private final Jdbi jdbi;

    private SinkDatabase(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** Connects, applies the migrations under {@code db/migration} (idempotent), and returns the database. */
    public static SinkDatabase connect(SinkConfig config) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(config.jdbcUrl());
        dataSource.setUser(config.user());
        dataSource.setPassword(config.password().value());
        Flyway.configure(SinkDatabase.class.getClassLoader()).dataSource(dataSource)
                .locations("classpath:db/migration").load().migrate();
        return new SinkDatabase(Jdbi.create(dataSource));
    }

    public Jdbi jdbi() {
        return jdbi;
    }
}
