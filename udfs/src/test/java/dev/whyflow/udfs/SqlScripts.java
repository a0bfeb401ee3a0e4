package dev.whyflow.udfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/** Runs the statements of the .sql files in udfs/sql. */
final class SqlScripts {

    private SqlScripts() {}

    /** Runs each statement of a .sql file; returns the rows of the last one. */
    static List<Row> run(TableEnvironment tableEnv, Path file) throws IOException {
        List<Row> last = List.of();
        for (String statement : statements(Files.readString(file, StandardCharsets.UTF_8))) {
            last = collect(tableEnv.executeSql(statement));
        }
        return last;
    }

    /** Statements end with a semicolon at the end of a line; whole-line comments are dropped. */
    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String s : withoutComments.toString().split(";\\s*\n")) {
            String trimmed = s.strip();
            if (trimmed.endsWith(";")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            if (!trimmed.isEmpty()) {
                statements.add(trimmed);
            }
        }
        return statements;
    }

    static List<Row> collect(TableResult result) {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
