package dev.whyflow.query.eval;

import dev.whyflow.sql.StoreConnection;
import java.nio.file.Path;

/** Loads (or reuses) the golden month into {@code whyflow_eval}; prints the load time and rows. */
public final class LoadGoldenMonth {

    public static void main(String[] args) throws Exception {
        String bootstrap =
                System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
        EvalDataset d =
                new EvalDataset(
                        GoldenMonth.options(), "whyflow_eval", Path.of("target/eval"), bootstrap);
        EvalDataset.Loaded l = d.ensure(StoreConnection.fromEnvironment());
        System.out.println(EvalDataset.describe(l));
    }
}
