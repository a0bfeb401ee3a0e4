package dev.whyflow.store;

import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;

/**
 * One row in PostgreSQL's COPY text format, built column by column: values are escaped, nulls are
 * written as {@code \N}. Reused across rows by a sink writer (call {@link #reset}).
 */
public final class CopyRow {

    private final StringBuilder line = new StringBuilder(512);
    private int columns;

    public CopyRow reset() {
        line.setLength(0);
        columns = 0;
        return this;
    }

    public CopyRow text(String value) {
        separator();
        if (value == null) line.append("\\N");
        else escape(value);
        return this;
    }

    public CopyRow number(Long value) {
        separator();
        line.append(value == null ? "\\N" : value.toString());
        return this;
    }

    public CopyRow number(Integer value) {
        separator();
        line.append(value == null ? "\\N" : value.toString());
        return this;
    }

    public CopyRow number(long value) {
        separator();
        line.append(value);
        return this;
    }

    public CopyRow bool(boolean value) {
        separator();
        line.append(value ? 't' : 'f');
        return this;
    }

    /** Epoch milliseconds as an ISO-8601 UTC timestamp. */
    public CopyRow timestamp(long epochMillis) {
        separator();
        line.append(Instant.ofEpochMilli(epochMillis));
        return this;
    }

    public CopyRow timestamp(Long epochMillis) {
        if (epochMillis == null) return text(null);
        return timestamp(epochMillis.longValue());
    }

    /** A text[] column. */
    public CopyRow textArray(Collection<String> values) {
        if (values == null) return text(null);
        StringBuilder a = new StringBuilder(16 * values.size() + 2).append('{');
        boolean first = true;
        for (String v : values) {
            if (!first) a.append(',');
            first = false;
            if (v == null) {
                a.append("NULL");
                continue;
            }
            a.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') a.append('\\');
                a.append(c);
            }
            a.append('"');
        }
        return text(a.append('}').toString());
    }

    /** A bigint[] column. */
    public CopyRow longArray(long[] values) {
        if (values == null) return text(null);
        StringBuilder a = new StringBuilder(8 * values.length + 2).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) a.append(',');
            a.append(values[i]);
        }
        return text(a.append('}').toString());
    }

    /** A vector(n) column (pgvector's text form). */
    public CopyRow vector(float[] values) {
        if (values == null) return text(null);
        StringBuilder a = new StringBuilder(12 * values.length + 2).append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) a.append(',');
            a.append(values[i]);
        }
        return text(a.append(']').toString());
    }

    /** A bytea column, hex-encoded. */
    public CopyRow bytes(byte[] value) {
        separator();
        if (value == null) line.append("\\N");
        else line.append("\\\\x").append(HexFormat.of().formatHex(value));
        return this;
    }

    public int columns() {
        return columns;
    }

    /** The row as one COPY line, newline-terminated. */
    public String line() {
        return line + "\n";
    }

    void appendTo(StringBuilder out) {
        out.append(line).append('\n');
    }

    private void separator() {
        if (columns++ > 0) line.append('\t');
    }

    private void escape(String value) {
        int n = value.length();
        int first = 0;
        while (first < n && !special(value.charAt(first))) first++;
        line.append(value, 0, first); // most values need no escaping: one bulk copy
        for (int i = first; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\0' -> {} // PostgreSQL text cannot hold NUL; dropping it is the only option
                default -> line.append(c);
            }
        }
    }

    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
    }
}
