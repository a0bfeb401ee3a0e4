package dev.whyflow.erp;

/**
 * One record of the ERP's change topic as Debezium wrote it (JSON, no schema): a row change of a
 * captured table, or the end marker of a source transaction. Kept as its JSON text with the few
 * fields the job routes on; {@link ErpEventAssembler} reads the rest.
 *
 * <p>A public-field POJO so that Flink serializes it without Kryo.
 */
public class ErpChange {
    /** A row change ({@code c}, {@code u}, {@code d}, {@code r} for a snapshot read). */
    public static final String ROW = "row";

    /** The end of a source transaction (Debezium's transaction metadata). */
    public static final String TX_END = "tx_end";

    public String kind;

    /** Table name without schema, for row changes. */
    public String table;

    /** Debezium's op: c, u, d, r (snapshot). */
    public String op;

    /**
     * Source transaction id (row changes: source.txId; markers: the transaction's id, its txId
     * part).
     */
    public String txId;

    /** Position of the change in the WAL (source.lsn), 0 for markers. */
    public long lsn;

    /** source.snapshot: "false", "true", "first", "last", "first_in_data_collection", … */
    public String snapshot;

    /** The record's value as written by Debezium. */
    public String json;

    public ErpChange() {}

    public boolean isSnapshot() {
        return snapshot != null && !"false".equals(snapshot);
    }

    public boolean isLastOfSnapshot() {
        return "last".equals(snapshot);
    }

    @Override
    public String toString() {
        return kind + " " + table + " " + op + " tx " + txId + " lsn " + lsn;
    }
}
