package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.embeddings.EmbeddingConfig;
import java.time.Duration;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;

class EmbeddingOptionsTest {

    private static EmbeddingOptions parse(String... args) {
        return EmbeddingOptions.fromArgs(ParameterTool.fromArgs(args));
    }

    @Test
    void defaultsPointAtTheLocalStackAndTheBundledModelWithACache() {
        EmbeddingOptions o = parse();
        assertThat(o.enrichedTopic()).isEqualTo("whyflow.events.enriched");
        assertThat(o.sessionsTopic()).isEqualTo("whyflow.sessions");
        assertThat(o.groupId()).isEqualTo("whyflow-embeddings");
        assertThat(o.seenTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(o.inFlight()).isEqualTo(256);
        assertThat(o.eventTexts()).isTrue();
        assertThat(o.modelName()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(o.embeddingConfig())
                .isEqualTo(
                        EmbeddingConfig.defaults()
                                .withCacheSize(EmbeddingOptions.DEFAULT_CACHE_SIZE));
    }

    @Test
    void modelOptionsPassThroughAndBadValuesAreRefusedWithTheKey() {
        EmbeddingOptions o =
                parse(
                        "--whyflow.embeddings.batch-size",
                        "8",
                        "--seen.ttl",
                        "1d",
                        "--async.capacity",
                        "64");
        assertThat(o.embeddingConfig().batchSize()).isEqualTo(8);
        assertThat(o.seenTtl()).isEqualTo(Duration.ofDays(1));
        assertThat(o.inFlight()).isEqualTo(64);
        assertThat(parse("--embed.event-texts", "false").eventTexts()).isFalse();
        assertThatThrownBy(() -> parse("--seen.ttl", "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--seen.ttl");
        assertThatThrownBy(() -> parse("--async.capacity", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("async.capacity");
        assertThatThrownBy(() -> parse("--whyflow.embeddings.batch-size", "many"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whyflow.embeddings.batch-size");
    }
}
