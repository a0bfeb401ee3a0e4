package dev.whyflow.capture;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Events with no visitor (releases, stock and price changes, shipments) skip the sessionizer:
 * they get normalised context and their semantic text only.
 */
public final class OperationalEnricher implements MapFunction<EnrichedEvent, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    public EnrichedEvent map(EnrichedEvent e) {
        DeviceNormalizer.apply(e.event.context, e);
        return SemanticText.attach(e);
    }
}
