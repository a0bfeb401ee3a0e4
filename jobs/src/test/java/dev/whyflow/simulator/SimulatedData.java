package dev.whyflow.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated stream held in memory for integration tests of the jobs: the records exactly as the
 * simulator writes them (key and bytes, in output order) and its ground-truth manifest.
 */
public record SimulatedData(List<Record> records, JsonNode truth) {

    public record Record(long ordinal, String key, byte[] value) {}

    public static SimulatedData generate(SimulationOptions options) {
        ShopSimulation simulation = new ShopSimulation(options);
        List<Record> records = new ArrayList<>();
        try {
            simulation.run(
                    (ordinal, key, value, length) ->
                            records.add(new Record(ordinal, key, Arrays.copyOf(value, length))));
        } catch (Exception e) {
            throw new IllegalStateException("simulation failed", e);
        }
        return new SimulatedData(records, simulation.truth().toJson());
    }

    /** Ordinal → intended reject reason of every malformed record the simulator injected. */
    public Map<Long, String> badRecordReasons() {
        Map<Long, String> out = new HashMap<>();
        truth.get("bad_records")
                .forEach(b -> out.put(b.get("ordinal").asLong(), b.get("reason").asText()));
        return out;
    }

    /** Ordinals of the exact re-sends of earlier valid events. */
    public List<Long> duplicateOrdinals() {
        List<Long> out = new ArrayList<>();
        truth.get("duplicates").forEach(d -> out.add(d.get("ordinal").asLong()));
        return out;
    }
}
