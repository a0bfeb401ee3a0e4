package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.patterns.PatternJob;
import dev.whyflow.patterns.PatternOptions;
import dev.whyflow.query.QueryJob;
import dev.whyflow.query.QueryOptions;
import dev.whyflow.vectors.EmbeddingJob;
import dev.whyflow.vectors.EmbeddingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;

/**
 * Savepoints map state to operators by uid: an operator without an explicit uid gets one hashed
 * from its position in the graph, which changes when the topology around it changes, and its state
 * is then not restored. Every operator of every job's production topology (its own sources and
 * sinks, as {@code main} wires them) must carry an explicit uid.
 */
class OperatorUidsTest {

    private static final String[] NO_ARGS = new String[0];

    @Test
    void everyOperatorOfCaptureJobHasAnExplicitUid() {
        assertEveryOperatorHasAUid(
                6,
                env -> {
                    CaptureOptions o = CaptureOptions.fromArgs(ParameterTool.fromArgs(NO_ARGS));
                    CaptureJob.configure(env, o);
                    CaptureJob.defineWorkflow(env, o, CaptureJob.source(o), CaptureJob.sinks(o));
                });
    }

    @Test
    void everyOperatorOfPatternJobHasAnExplicitUid() {
        assertEveryOperatorHasAUid(
                6,
                env -> {
                    PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromArgs(NO_ARGS));
                    PatternJob.configure(env, o);
                    PatternJob.defineWorkflow(env, PatternJob.source(o), o, PatternJob.sinks(o));
                });
    }

    @Test
    void everyOperatorOfEmbeddingJobHasAnExplicitUid() {
        assertEveryOperatorHasAUid(
                6,
                env -> {
                    EmbeddingOptions o = EmbeddingOptions.fromArgs(ParameterTool.fromArgs(NO_ARGS));
                    EmbeddingJob.configure(env, o);
                    EmbeddingJob.defineWorkflow(
                            env,
                            o,
                            EmbeddingJob.enrichedSource(o).build(),
                            EmbeddingJob.sessionsSource(o).build(),
                            EmbeddingJob.sinks(o));
                });
    }

    /** QueryJob is small: questions in, answers (async, against the store) out. */
    @Test
    void everyOperatorOfQueryJobHasAnExplicitUid() {
        assertEveryOperatorHasAUid(
                3,
                env -> {
                    QueryOptions o = QueryOptions.fromArgs(ParameterTool.fromArgs(NO_ARGS));
                    env.enableCheckpointing(o.checkpointInterval().toMillis());
                    QueryJob.defineWorkflow(
                            env, QueryJob.source(o).build(), o, QueryJob.answers(o));
                });
    }

    /** ErpCaptureJob: the change topic, the assembler, the raw topic. */
    @Test
    void everyOperatorOfErpCaptureJobHasAnExplicitUid() {
        assertEveryOperatorHasAUid(
                3,
                env -> {
                    dev.whyflow.erp.ErpCaptureOptions o =
                            dev.whyflow.erp.ErpCaptureOptions.fromArgs(
                                    ParameterTool.fromArgs(NO_ARGS));
                    dev.whyflow.erp.ErpCaptureJob.defineWorkflow(
                            env,
                            o,
                            dev.whyflow.erp.ErpCaptureJob.source(o),
                            dev.whyflow.erp.ErpCaptureJob.rawTopic(o));
                });
    }

    /** Both checks fail on an operator without a uid (a test that cannot fail proves nothing). */
    @Test
    void anOperatorWithoutAUidIsFound() {
        Consumer<StreamExecutionEnvironment> topology =
                env ->
                        env.fromSequence(1, 10)
                                .uid("numbers")
                                .map(n -> n + 1)
                                .name("plus one")
                                .filter(n -> n > 2)
                                .name("above two")
                                .uid("above-two");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        topology.accept(env);
        assertThat(operatorsWithoutUid(env.getStreamGraph())).containsExactly("plus one");

        StreamExecutionEnvironment strict = withoutGeneratedUids();
        topology.accept(strict);
        assertThatThrownBy(strict::getStreamGraph).hasMessageContaining("plus one");
    }

    /**
     * At least {@code operators} operators (so that the topology was really built), each with an
     * explicit uid.
     */
    private static void assertEveryOperatorHasAUid(
            int operators, Consumer<StreamExecutionEnvironment> topology) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        topology.accept(env);
        StreamGraph graph = env.getStreamGraph();

        assertThat(graph.getStreamNodes())
                .as("operators of the job")
                .hasSizeGreaterThanOrEqualTo(operators);
        assertThat(operatorsWithoutUid(graph)).as("operators without an explicit uid").isEmpty();

        // Flink's own guard: with generated uids switched off, building the graph fails on an
        // operator that has none.
        StreamExecutionEnvironment strict = withoutGeneratedUids();
        topology.accept(strict);
        assertThatCode(() -> strict.getStreamGraph().getJobGraph()).doesNotThrowAnyException();
    }

    private static List<String> operatorsWithoutUid(StreamGraph graph) {
        List<String> missing = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            if (node.getTransformationUID() == null || node.getTransformationUID().isBlank())
                missing.add(node.getOperatorName());
        }
        return missing;
    }

    private static StreamExecutionEnvironment withoutGeneratedUids() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }
}
