package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's table of metrics is the catalogue's, and every measured metric has its template. */
class CatalogueReadmeTest {

    private static final Path README = Path.of("..", "README.md");
    private static final String BEGIN =
            "<!-- metrics:begin (generated from Catalogue.markdownTable()) -->\n";
    private static final String END = "<!-- metrics:end -->";

    @Test
    void theReadmesTableOfMetricsIsGeneratedFromTheCatalogue() throws IOException {
        String readme = Files.readString(README);
        assertThat(readme).contains(BEGIN).contains(END);
        String table =
                readme.substring(readme.indexOf(BEGIN) + BEGIN.length(), readme.indexOf(END));
        assertThat(table)
                .as(
                        "README.md's metrics table; regenerate it with: mvn -pl jobs test -Dtest=CatalogueReadmeTest -Dwhyflow.readme.write=true")
                .isEqualTo(Catalogue.markdownTable());
    }

    /**
     * Writes the table into the README when asked (-Dwhyflow.readme.write=true), so that it is
     * never hand-edited.
     */
    @Test
    void writesTheTableWhenAsked() throws IOException {
        if (!Boolean.getBoolean("whyflow.readme.write")) return;
        String readme = Files.readString(README);
        int from = readme.indexOf(BEGIN) + BEGIN.length();
        Files.writeString(
                README,
                readme.substring(0, from)
                        + Catalogue.markdownTable()
                        + readme.substring(readme.indexOf(END)));
    }

    @Test
    void everyMetricIsNamedOnceAndEveryMeasuredOneHasItsTemplateAndFigures() {
        Set<String> names = new HashSet<>();
        for (Catalogue.Metric m : Catalogue.METRICS) {
            assertThat(names.add(m.name())).as("metric %s listed twice", m.name()).isTrue();
            assertThat(m.example()).as(m.name()).isNotBlank();
            if (m.measured()) {
                assertThat(SqlTemplate.ids()).as(m.name()).contains(m.template());
                assertThat(m.columns()).as(m.name()).isNotEmpty();
                assertThat(m.headline().unit())
                        .as(m.name() + ": the headline figure's unit is the metric's")
                        .isEqualTo(m.unit());
                for (Catalogue.Column c : m.columns()) {
                    assertThat(SqlTemplate.of(m.template()).jdbcSql())
                            .as(m.name() + " column " + c.column())
                            .contains(c.column());
                }
            }
            if (m.refines() != null)
                assertThat(Catalogue.metric(m.refines())).as(m.name() + " refines").isPresent();
        }
    }
}
