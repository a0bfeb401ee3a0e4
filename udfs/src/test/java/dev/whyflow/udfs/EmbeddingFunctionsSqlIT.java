package dev.whyflow.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.OnnxEmbedder;
import dev.whyflow.embeddings.SharedEmbedders;
import dev.whyflow.embeddings.Vectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The functions as a SQL user sees them: registered by udfs/sql/01-register-functions.sql in a
 * TableEnvironment running on a local MiniCluster, checked against the embedding library.
 */
class EmbeddingFunctionsSqlIT {

    private static final Path SQL_DIR = Path.of("sql");

    private static TableEnvironment tableEnv;
    private static OnnxEmbedder library;

    @BeforeAll
    static void setUp() throws IOException {
        tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tableEnv.getConfig().set("parallelism.default", "1");
        runScript(SQL_DIR.resolve("01-register-functions.sql"));
        library = OnnxEmbedder.open(EmbeddingConfig.defaults());
    }

    @AfterAll
    static void tearDown() {
        library.close();
    }

    @Test
    void embedEqualsTheLibraryVector() {
        String text = "guest abandoned the cart when shipping costs appeared";
        Row row = single("SELECT EMBED('" + text + "')");
        Float[] vector = (Float[]) row.getField(0);
        float[] expected = library.embed(text);
        assertThat(vector).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(vector[i]).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void selfSimilarityIsOneAndRelatedBeatsUnrelated() {
        Row row =
                single(
                        "SELECT COSINE_SIMILARITY(EMBED(a), EMBED(a)), COSINE_SIMILARITY(EMBED(a), EMBED(b)),"
                                + " COSINE_SIMILARITY(EMBED(a), EMBED(c)), EMBEDDING_TEXT_SIMILARITY(a, b)"
                                + " FROM (VALUES ('card declined at checkout', 'payment was rejected when paying',"
                                + " 'the weather is lovely today')) AS t(a, b, c)");
        double self = (Double) row.getField(0);
        double related = (Double) row.getField(1);
        double unrelated = (Double) row.getField(2);
        assertThat(self).isCloseTo(1.0, within(1e-6));
        assertThat(related).isGreaterThan(unrelated + 0.2);
        assertThat((Double) row.getField(3)).isCloseTo(related, within(1e-6));
        assertThat(related)
                .isCloseTo(
                        Vectors.cosine(
                                library.embed("card declined at checkout"),
                                library.embed("payment was rejected when paying")),
                        within(1e-6));
    }

    @Test
    void nullsAndMismatchedLengthsGiveNull() {
        Row row =
                single(
                        "SELECT EMBED(CAST(NULL AS STRING)),"
                                + " COSINE_SIMILARITY(CAST(NULL AS ARRAY<FLOAT>), EMBED('x')),"
                                + " COSINE_SIMILARITY(ARRAY[CAST(1.0 AS FLOAT)], ARRAY[CAST(1.0 AS FLOAT), CAST(2.0 AS FLOAT)]),"
                                + " EMBEDDING_TEXT_SIMILARITY(CAST(NULL AS STRING), 'x'),"
                                + " CARDINALITY(EMBED(''))");
        assertThat(row.getField(0)).isNull();
        assertThat(row.getField(1)).isNull();
        assertThat(row.getField(2)).isNull();
        assertThat(row.getField(3)).isNull();
        assertThat(row.getField(4)).isEqualTo(384);
    }

    @Test
    void exampleQueryRanksCheckoutComplaintsFirst() throws IOException {
        List<Row> rows = runScript(SQL_DIR.resolve("02-complaints-like-a-slow-checkout.sql"));
        assertThat(rows).hasSize(5);
        List<String> ranked = rows.stream().map(r -> (String) r.getField(0)).toList();
        assertThat(ranked.subList(0, 2))
                .containsExactlyInAnyOrder(
                        "payment page takes forever to load on my phone",
                        "the checkout hangs for ten seconds before confirming");
        float[] query = library.embed("the checkout is slow");
        for (Row r : rows) {
            double expected = Vectors.cosine(library.embed((String) r.getField(0)), query);
            assertThat(((Number) r.getField(1)).doubleValue()).isCloseTo(expected, within(0.0006));
        }
    }

    /**
     * Fails on an empty or missing sql/ folder and on a file with no statement: nothing run is no
     * pass.
     */
    @Test
    void everySqlFileRuns() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(SQL_DIR)) {
            scripts = files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
        }
        assertThat(scripts).as("SQL files in %s", SQL_DIR.toAbsolutePath()).isNotEmpty();
        for (Path file : scripts) {
            assertThat(SqlScripts.statements(Files.readString(file)))
                    .as("statements of %s", file)
                    .isNotEmpty();
            runScript(file);
        }
    }

    @Test
    void finishedJobsGiveTheModelBack() throws Exception {
        single("SELECT CARDINALITY(EMBED('x'))");
        // the tasks closed their functions before the job reported its end
        assertThat(SharedEmbedders.loadedModels()).isZero();
    }

    private static Row single(String query) {
        List<Row> rows = collect(tableEnv.executeSql(query));
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static List<Row> runScript(Path file) throws IOException {
        return SqlScripts.run(tableEnv, file);
    }

    private static List<Row> collect(TableResult result) {
        return SqlScripts.collect(result);
    }
}
