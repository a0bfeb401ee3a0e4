package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;

/**
 * Events with no visitor (releases, stock and price changes, shipments) skip the sessionizer: they
 * get normalised context and their semantic text only. {@link JourneyEnricher} applies it to the
 * events it receives without a visitor key.
 */
public final class OperationalEnricher {

    private OperationalEnricher() {}

    public static EnrichedEvent enrich(EnrichedEvent e) {
        DeviceNormalizer.apply(e.event.context, e);
        return SemanticText.attach(e);
    }
}
