package dev.whyflow.udfs;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;

/**
 * What a SQL client session does with the shaded jar: {@code ADD JAR}, register the functions with
 * udfs/sql/01-register-functions.sql, query. Run by {@link UdfJarIT} in a JVM whose classpath holds
 * Flink but not the embedding library, ONNX Runtime or the model, so everything those need must
 * come from the jar. Prints "UDF JAR OK" on success.
 */
public final class UdfJarSmoke {

    private UdfJarSmoke() {}

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        Path sqlDir = Path.of(args[1]);
        try {
            Class.forName("dev.whyflow.embeddings.OnnxEmbedder");
            throw new IllegalStateException("the embedding library leaked onto the classpath");
        } catch (ClassNotFoundException expected) {
            // only the jar may provide it
        }
        TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tableEnv.getConfig().set("parallelism.default", "1");
        tableEnv.executeSql("ADD JAR '" + jar + "'");
        SqlScripts.run(tableEnv, sqlDir.resolve("01-register-functions.sql"));

        List<Row> ranked =
                SqlScripts.run(tableEnv, sqlDir.resolve("02-complaints-like-a-slow-checkout.sql"));
        System.out.println("ranked " + ranked);
        String best = (String) ranked.get(0).getField(0);
        if (!best.contains("checkout") && !best.contains("payment")) {
            throw new AssertionError("unexpected best match: " + best);
        }
        Row row =
                SqlScripts.collect(
                                tableEnv.executeSql(
                                        "SELECT CARDINALITY(EMBED('x')), COSINE_SIMILARITY(EMBED('a b'), EMBED('a b')),"
                                                + " EMBEDDING_TEXT_SIMILARITY('slow checkout', 'slow checkout')"))
                        .get(0);
        System.out.println("row " + row);
        if (!Integer.valueOf(384).equals(row.getField(0))
                || Math.abs((Double) row.getField(1) - 1) > 1e-6
                || Math.abs((Double) row.getField(2) - 1) > 1e-6) {
            throw new AssertionError("unexpected values " + row);
        }
        System.out.println("UDF JAR OK");
        System.exit(0);
    }
}
