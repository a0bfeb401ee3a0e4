package dev.whyflow.store;

import java.io.Serializable;
import java.util.List;

/**
 * A target table for {@link PostgresUpsertSink}: its name, the columns a row writer fills (in
 * order), the key columns, and what a conflict on the key does. {@code DO NOTHING} tables keep the
 * first version of a row (immutable facts: events, failures); {@code DO UPDATE} tables take the
 * newest (rollups and sessions, which a late event or a replay recomputes). A table can name the
 * few columns a replay may correct in an otherwise immutable row ({@link #correcting}): a conflict
 * then updates just those, and only where they differ; a {@link Repair} then brings what was
 * derived from the corrected rows in line, in the same transaction.
 *
 * <p>A write that is not an upsert of the staged rows into one table (an {@code UPDATE} of a few
 * columns of another table's rows, an upsert with a condition) is a {@link #mergedBy} table: the
 * stage's columns are declared and the merge statement is given.
 *
 * @param stageColumns the stage's column definitions, or null for a stage like the target
 * @param merge the statement that moves the staged rows into place, or null for the upsert derived
 *     from the key and {@code onConflict}
 * @param repair what follows a correction, or null
 */
public record UpsertTable(
        String name,
        List<String> columns,
        List<String> keyColumns,
        OnConflict onConflict,
        List<String> corrected,
        String stageColumns,
        String merge,
        Repair repair)
        implements Serializable {

    public enum OnConflict {
        DO_NOTHING,
        DO_UPDATE
    }

    /**
     * What a correction of stored rows implies elsewhere: {@code changedKey} is an SQL expression
     * over the corrected rows (e.g. their rollup minute); {@code statement} takes the distinct
     * values of it as one {@code text[]} parameter (cast it: {@code ?::timestamptz[]}) and repairs
     * what derives from them. It runs in the merge's transaction, so a correction and its repair
     * are committed together or not at all.
     */
    public record Repair(String changedKey, String statement) implements Serializable {}

    public UpsertTable {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        corrected = List.copyOf(corrected);
        if (!columns.containsAll(keyColumns)) {
            throw new IllegalArgumentException(
                    "key columns " + keyColumns + " must be among " + columns);
        }
        if (!columns.containsAll(corrected) || corrected.stream().anyMatch(keyColumns::contains)) {
            throw new IllegalArgumentException(
                    "corrected columns " + corrected + " must be non-key columns of " + columns);
        }
        if (repair != null && (corrected.isEmpty() || merge != null)) {
            throw new IllegalArgumentException(
                    "a repair follows corrections of a derived merge: " + name);
        }
    }

    public UpsertTable(
            String name, List<String> columns, List<String> keyColumns, OnConflict onConflict) {
        this(name, columns, keyColumns, onConflict, List.of(), null, null, null);
    }

    /**
     * A table written by its own merge statement from a stage of the given columns ({@code
     * "session_id text, narrative text, embedding vector(384)"}); {@code name} labels the sink
     * (metrics, threads, the stage) and {@code keyColumns} are those of which a batch keeps only
     * the newest row.
     */
    public static UpsertTable mergedBy(
            String name,
            List<String> columns,
            List<String> keyColumns,
            String stageColumns,
            String merge) {
        return new UpsertTable(
                name,
                columns,
                keyColumns,
                OnConflict.DO_UPDATE,
                List.of(),
                stageColumns,
                merge,
                null);
    }

    /** A first-write-wins table whose {@code columns} a later write of the same key corrects. */
    public UpsertTable correcting(String... corrected) {
        return new UpsertTable(
                name,
                columns,
                keyColumns,
                OnConflict.DO_NOTHING,
                List.of(corrected),
                stageColumns,
                merge,
                repair);
    }

    /** This table, with {@code repair} run after every merge that corrected stored rows. */
    public UpsertTable repairing(Repair repair) {
        return new UpsertTable(
                name, columns, keyColumns, onConflict, corrected, stageColumns, merge, repair);
    }

    /**
     * Whether a batch can be appended with a plain COPY when none of its keys is in the table yet:
     * for a first-write-wins table the merge of such a batch inserts every row as it is.
     */
    boolean appendable() {
        return onConflict == OnConflict.DO_NOTHING && merge == null;
    }

    String copyIntoTable() {
        return "COPY " + name + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    String stageTable() {
        return "whyflow_stage_" + name;
    }

    String createStage() {
        String shape = stageColumns != null ? stageColumns : "LIKE " + name + " INCLUDING DEFAULTS";
        return "CREATE TEMP TABLE IF NOT EXISTS "
                + stageTable()
                + " ("
                + shape
                + ") ON COMMIT DELETE ROWS";
    }

    String copyIntoStage() {
        return "COPY " + stageTable() + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    String mergeFromStage() {
        if (merge != null) return merge.replace("{stage}", stageTable());
        String cols = String.join(", ", columns);
        StringBuilder sql =
                new StringBuilder("INSERT INTO ")
                        .append(name)
                        .append(" (")
                        .append(cols)
                        .append(") SELECT ")
                        .append(cols)
                        .append(" FROM ")
                        .append(stageTable())
                        .append(" ON CONFLICT (")
                        .append(String.join(", ", keyColumns))
                        .append(") ");
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
                differs.append(name)
                        .append('.')
                        .append(c)
                        .append(" IS DISTINCT FROM EXCLUDED.")
                        .append(c);
            }
            sql.append(" WHERE ").append(differs);
            // xmax is set on a row this statement updated and 0 on one it inserted: the corrected
            // rows
            if (repair != null)
                sql.append(" RETURNING CASE WHEN xmax <> 0 THEN ")
                        .append(repair.changedKey())
                        .append(" END");
            return sql.toString();
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
