package dev.whyflow.store;

import java.io.Serializable;
import java.util.List;

/**
 * A target table for {@link PostgresUpsertSink}: its name, the columns a row writer fills (in
 * order), the key columns, and what a conflict on the key does. {@code DO NOTHING} tables keep
 * the first version of a row (immutable facts: events, failures); {@code DO UPDATE} tables take
 * the newest (rollups and sessions, which a late event or a replay recomputes). A table can name
 * the few columns a replay may correct in an otherwise immutable row ({@link #correcting}): a
 * conflict then updates just those, and only where they differ.
 */
public record UpsertTable(String name, List<String> columns, List<String> keyColumns, OnConflict onConflict,
                          List<String> corrected) implements Serializable {

    public enum OnConflict { DO_NOTHING, DO_UPDATE }

    public UpsertTable {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        corrected = List.copyOf(corrected);
        if (!columns.containsAll(keyColumns)) {
            throw new IllegalArgumentException("key columns " + keyColumns + " must be among " + columns);
        }
        if (!columns.containsAll(corrected) || corrected.stream().anyMatch(keyColumns::contains)) {
            throw new IllegalArgumentException("corrected columns " + corrected + " must be non-key columns of " + columns);
        }
    }

    public UpsertTable(String name, List<String> columns, List<String> keyColumns, OnConflict onConflict) {
        this(name, columns, keyColumns, onConflict, List.of());
    }

    /** A first-write-wins table whose {@code columns} a later write of the same key corrects. */
    public UpsertTable correcting(String... corrected) {
        return new UpsertTable(name, columns, keyColumns, OnConflict.DO_NOTHING, List.of(corrected));
    }

    /**
     * Whether a batch can be appended with a plain COPY when none of its keys is in the table yet:
     * for a first-write-wins table the merge of such a batch inserts every row as it is.
     */
    boolean appendable() {
        return onConflict == OnConflict.DO_NOTHING;
    }

    String copyIntoTable() {
        return "COPY " + name + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    String stageTable() {
        return "whyflow_stage_" + name;
    }

    String createStage() {
        return "CREATE TEMP TABLE IF NOT EXISTS " + stageTable() + " (LIKE " + name
                + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
    }

    String copyIntoStage() {
        return "COPY " + stageTable() + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    String mergeFromStage() {
        String cols = String.join(", ", columns);
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(name).append(" (").append(cols)
                .append(") SELECT ").append(cols).append(" FROM ").append(stageTable())
                .append(" ON CONFLICT (").append(String.join(", ", keyColumns)).append(") ");
        if (onConflict == OnConflict.DO_NOTHING && corrected.isEmpty()) {
            return sql.append("DO NOTHING").toString();
        }
        if (onConflict == OnConflict.DO_NOTHING) {
            sql.append("DO UPDATE SET ");
            StringBuilder differs = new StringBuilder();
            for (String c : corrected) {
                if (differs.length() > 0) {
                    sql.append(", ");
                    differs.append(" OR ");
                }
                sql.append(c).append(" = EXCLUDED.").append(c);
                differs.append(name).append('.').append(c).append(" IS DISTINCT FROM EXCLUDED.").append(c);
            }
            return sql.append(" WHERE ").append(differs).toString();
        }
        sql.append("DO UPDATE SET ");
        boolean first = true;
        for (String c : columns) {
            if (keyColumns.contains(c)) continue;
            if (!first) sql.append(", ");
            first = false;
            sql.append(c).append(" = EXCLUDED.").append(c);
        }
        return sql.toString();
    }
}
