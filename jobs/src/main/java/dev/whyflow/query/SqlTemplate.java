package dev.whyflow.query;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parameterized SQL template, loaded from {@code whyflow/query/sql/<id>.sql} on the classpath.
 * Parameters are written {@code :name} and become JDBC {@code ?} placeholders bound by {@link
 * Store}; the text of a template is fixed at build time and nothing from a question is ever spliced
 * into it. Dimensions to filter or group by are chosen inside the SQL by a bound value ({@code CASE
 * :group_by WHEN 'device' THEN device …}), not by editing the SQL.
 */
public record SqlTemplate(String id, String jdbcSql, List<String> parameterNames) {

    private static final Pattern PARAM = Pattern.compile("(?<!:):([a-z_][a-z0-9_]*)");
    private static final ConcurrentHashMap<String, SqlTemplate> CACHE = new ConcurrentHashMap<>();

    public static SqlTemplate of(String id) {
        return CACHE.computeIfAbsent(id, SqlTemplate::load);
    }

    /** Every template shipped (for tests that run them all). */
    public static List<String> ids() {
        try (InputStream in =
                SqlTemplate.class.getResourceAsStream("/whyflow/query/sql/index.txt")) {
            if (in == null) throw new IllegalStateException("whyflow/query/sql/index.txt missing");
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) out.add(line.trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SqlTemplate load(String id) {
        String path = "/whyflow/query/sql/" + id + ".sql";
        try (InputStream in = SqlTemplate.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException("no SQL template " + path);
            return parse(id, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SqlTemplate parse(String id, String text) {
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) continue;
            int comment = line.indexOf(" -- ");
            sql.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            names.add(m.group(1));
            m.appendReplacement(out, "?");
        }
        m.appendTail(out);
        return new SqlTemplate(id, out.toString().strip(), List.copyOf(names));
    }
}
