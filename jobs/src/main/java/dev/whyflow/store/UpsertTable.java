package dev.whyflow.store;

import java.io.Serializable;
import java.util.List;

/**
 * A target table for {@link PostgresUpsertSink}: its name, the columns a row writer fills (in
 * order), the key columns, and what a conflict on the key does. {@code DO NOTHING} tables keep
 * the first version of a row (immutable facts: events, failures); {@code DO UPDATE} tables take
 * the newest (rollups and sessions, which a late event or a replay recomputes).
 */
public record UpsertTable(String name, List<String> columns, List<String> keyColumns, OnConflict onConflict)
        implements Serializable {

    public enum OnConflict { DO_NOTHING, DO_UPDATE }

    public UpsertTable {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        if (!columns.containsAll(keyColumns)) {
            throw new IllegalArgumentException("key columns " + keyColumns + " must be among " + columns);
        }
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
        if (onConflict == OnConflict.DO_NOTHING) {
            return sql.append("DO NOTHING").toString();
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
