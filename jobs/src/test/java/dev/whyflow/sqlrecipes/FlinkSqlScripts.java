package dev.whyflow.sqlrecipes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

/**
 * The Flink SQL files of {@code sql/flink} as {@code deploy/local/sql.sh} runs them: the table DDL
 * of {@code sql/flink/tables/*.sql} with its {@code ${NAME}} placeholders filled in (the same names
 * as sql.sh's {@code placeholder_values}), the UDF registration of {@code udfs/sql}, and the
 * recipes.
 */
public final class FlinkSqlScripts {

    /** The placeholders sql.sh knows; a table file using another one is an error there and here. */
    public static final List<String> PLACEHOLDERS =
            List.of(
                    "KAFKA_BOOTSTRAP",
                    "PG_URL",
                    "PG_USER",
                    "PG_PASSWORD",
                    "TOPIC_RAW",
                    "TOPIC_ENRICHED",
                    "TOPIC_DLQ",
                    "TOPIC_ALERTS_PATTERN");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern CREATE_TABLE =
            Pattern.compile(
                    "CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([A-Za-z0-9_.`]+)",
                    Pattern.CASE_INSENSITIVE);

    private FlinkSqlScripts() {}

    /** The repository's root: the first parent of the working directory with sql/flink/tables. */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("sql/flink/tables"))) p = p.getParent();
        if (p == null)
            throw new IllegalStateException(
                    "no sql/flink/tables above " + Path.of("").toAbsolutePath());
        return p;
    }

    public static Path tablesDir() {
        return root().resolve("sql/flink/tables");
    }

    public static Path recipe(String fileName) {
        return root().resolve("sql/flink").resolve(fileName);
    }

    public static List<Path> tableFiles() {
        try (Stream<Path> files = Files.list(tablesDir())) {
            return files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's text with every placeholder replaced, quoted for a SQL string literal. */
    public static String render(Path file, Map<String, String> values) {
        String text = read(file);
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(
                        file
                                + " uses ${"
                                + m.group(1)
                                + "}, which is not one of "
                                + values.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.replace("'", "''")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Creates every table of sql/flink/tables, as sql.sh's init script does; with {@code bounded},
     * the Kafka tables read up to the end offsets at query start (as sql.sh runs a script, -f or
     * -e).
     */
    public static void createTables(
            TableEnvironment env, Map<String, String> values, boolean bounded) {
        Map<String, String> missing = new LinkedHashMap<>();
        for (String name : PLACEHOLDERS) if (!values.containsKey(name)) missing.put(name, "");
        if (!missing.isEmpty())
            throw new IllegalArgumentException("no values for " + missing.keySet());
        env.getConfig().set("table.local-time-zone", "UTC");
        for (Path file : tableFiles()) {
            String sql = render(file, values);
            for (String statement : statements(sql)) env.executeSql(statement);
            if (bounded && sql.matches("(?s).*'connector'\\s*=\\s*'kafka'.*")) {
                Matcher table = CREATE_TABLE.matcher(sql);
                if (!table.find()) throw new IllegalStateException("no CREATE TABLE in " + file);
                env.executeSql(
                        "ALTER TABLE "
                                + table.group(1)
                                + " SET ('scan.bounded.mode' = 'latest-offset')");
            }
        }
    }

    /** Registers EMBED, COSINE_SIMILARITY and EMBEDDING_TEXT_SIMILARITY as sql.sh does. */
    public static void registerFunctions(TableEnvironment env) {
        for (String statement :
                statements(read(root().resolve("udfs/sql/01-register-functions.sql")))) {
            env.executeSql(statement);
        }
    }

    /**
     * Runs a recipe: every statement but the last as it is, the last (the query) to the end of its
     * input, and returns the query's final table: its changelog applied (an update replaces the row
     * it retracts), in the order rows were last inserted.
     */
    public static List<Row> runRecipe(TableEnvironment env, Path recipe) throws Exception {
        List<String> statements = statements(read(recipe));
        if (statements.isEmpty()) throw new IllegalArgumentException(recipe + " has no statement");
        for (String s : statements.subList(0, statements.size() - 1)) env.executeSql(s).await();
        TableResult result = env.executeSql(statements.get(statements.size() - 1));
        List<Row> table = new ArrayList<>();
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) apply(table, rows.next());
        }
        return table;
    }

    static void apply(List<Row> table, Row change) {
        RowKind kind = change.getKind();
        Row row = Row.copy(change);
        row.setKind(RowKind.INSERT);
        if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
            table.add(row);
        } else {
            Iterator<Row> it = table.iterator();
            while (it.hasNext()) {
                if (it.next().equals(row)) {
                    it.remove();
                    return;
                }
            }
            throw new IllegalStateException("retraction of a row not in the result: " + change);
        }
    }

    /**
     * The statements of a SQL script: split at semicolons outside string literals, quoted
     * identifiers and comments; comments and empty statements are dropped.
     */
    public static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                while (i < n && script.charAt(i) != '\n') i++;
                cur.append('\n');
            } else if (c == '/'
                    && i + 1 < n
                    && script.charAt(i + 1) == '*'
                    && !(i + 2 < n && script.charAt(i + 2) == '+')) {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
                cur.append(' ');
            } else if (c == '\'' || c == '`' || c == '"') {
                int j = i + 1;
                while (j < n) {
                    if (script.charAt(j) == c) {
                        if (j + 1 < n && script.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                cur.append(script, i, Math.min(j + 1, n));
                i = j;
            } else if (c == ';') {
                add(out, cur);
            } else {
                cur.append(c);
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) out.add(s);
        cur.setLength(0);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
