package dev.whyflow.store;

import java.io.Serializable;

/** Writes one element as a row of an {@link UpsertTable}, its columns in the table's order. */
public interface RowWriter<T> extends Serializable {

    void write(T element, CopyRow row);

    /**
     * The element's key, for tables whose rows are updated: within one batch only the newest row
     * per key is sent (PostgreSQL refuses to update one row twice in a statement).
     */
    default String key(T element) {
        return null;
    }
}
