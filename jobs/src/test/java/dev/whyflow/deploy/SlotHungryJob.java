package dev.whyflow.deploy;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A job that idles in as many slots as its parallelism asks for (one record a second per subtask),
 * for FlinkSupervisionIT to submit with more subtasks than the cluster has slots. Runs under the
 * name {@value #NAME}.
 */
public final class SlotHungryJob {

    public static final String NAME = "whyflow-it-slot-hungry";

    private SlotHungryJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, Long.MAX_VALUE).map(new Slow()).sinkTo(new DiscardingSink<>());
        env.execute(NAME);
    }

    static final class Slow implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) throws Exception {
            Thread.sleep(1000);
            return value;
        }
    }
}
