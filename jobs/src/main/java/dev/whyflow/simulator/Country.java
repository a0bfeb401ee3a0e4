package dev.whyflow.simulator;

/**
 * Where the shop's visitors come from (a European shop, catalog prices in EUR), with the local
 * currency, the exchange rate the shop uses, the customers' payment preferences and the carriers.
 */
enum Country {
    DE(
            "de-DE",
            "EUR",
            1.0,
            0.30,
            0.25,
            0.38,
            0.22,
            new String[] {"dhl", "dpd", "hermes"},
            new double[] {0.6, 0.25, 0.15}),
    FR(
            "fr-FR",
            "EUR",
            1.0,
            0.13,
            0.55,
            0.30,
            0.05,
            new String[] {"colissimo", "dpd"},
            new double[] {0.6, 0.4}),
    GB(
            "en-GB",
            "GBP",
            0.86,
            0.12,
            0.60,
            0.30,
            0.04,
            new String[] {"royal_mail", "dpd", "evri"},
            new double[] {0.5, 0.3, 0.2}),
    NL(
            "nl-NL",
            "EUR",
            1.0,
            0.11,
            0.40,
            0.35,
            0.20,
            new String[] {"postnl", "dhl"},
            new double[] {0.7, 0.3}),
    ES(
            "es-ES",
            "EUR",
            1.0,
            0.06,
            0.60,
            0.35,
            0.02,
            new String[] {"correos", "seur"},
            new double[] {0.6, 0.4}),
    IT(
            "it-IT",
            "EUR",
            1.0,
            0.06,
            0.55,
            0.40,
            0.02,
            new String[] {"brt", "poste_italiane"},
            new double[] {0.5, 0.5}),
    AT(
            "de-AT",
            "EUR",
            1.0,
            0.05,
            0.30,
            0.35,
            0.25,
            new String[] {"post_at", "dpd"},
            new double[] {0.7, 0.3}),
    BE(
            "nl-BE",
            "EUR",
            1.0,
            0.05,
            0.55,
            0.30,
            0.08,
            new String[] {"bpost", "dpd"},
            new double[] {0.7, 0.3}),
    CH(
            "de-CH",
            "CHF",
            0.94,
            0.04,
            0.55,
            0.30,
            0.10,
            new String[] {"swiss_post"},
            new double[] {1.0}),
    SE(
            "sv-SE",
            "SEK",
            11.4,
            0.04,
            0.40,
            0.20,
            0.35,
            new String[] {"postnord", "dhl"},
            new double[] {0.7, 0.3}),
    PL(
            "pl-PL",
            "PLN",
            4.3,
            0.04,
            0.45,
            0.40,
            0.05,
            new String[] {"inpost", "dpd"},
            new double[] {0.7, 0.3});

    final String locale;
    final String currency;

    /** Local currency units per EUR. */
    final double fx;

    final double weight;
    final double cardPreference;
    final double paypalPreference;
    final double klarnaPreference;
    final String[] carriers;
    final double[] carrierCumulative;

    Country(
            String locale,
            String currency,
            double fx,
            double weight,
            double card,
            double paypal,
            double klarna,
            String[] carriers,
            double[] carrierWeights) {
        this.locale = locale;
        this.currency = currency;
        this.fx = fx;
        this.weight = weight;
        this.cardPreference = card;
        this.paypalPreference = paypal;
        this.klarnaPreference = klarna;
        this.carriers = carriers;
        this.carrierCumulative = Rand.cumulative(carrierWeights);
    }

    static final Country[] ALL = values();
    static final double[] CUMULATIVE;

    static {
        double[] w = new double[ALL.length];
        for (int i = 0; i < w.length; i++) w[i] = ALL[i].weight;
        CUMULATIVE = Rand.cumulative(w);
    }

    /** A catalog price (EUR minor units) in this country's currency, rounded to 5 minor units. */
    long localPrice(long eurMinor) {
        if (fx == 1.0) return eurMinor;
        return Math.max(5, Math.round(eurMinor * fx / 5.0) * 5);
    }
}
