package dev.whyflow.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The shop's catalog: ~500 products in 12 categories, catalog prices in EUR, a Zipf-like popularity
 * (a few products get most of the views) and stock levels sized to the expected sales. Derived from
 * the run seed only, so it is the same whatever the incidents.
 */
final class Catalog {

    static final String[] CATEGORIES = {
        "shoes",
        "jackets",
        "shirts",
        "trousers",
        "dresses",
        "knitwear",
        "accessories",
        "bags",
        "sportswear",
        "kids",
        "home",
        "beauty"
    };

    /** Median catalog price per category, EUR. */
    private static final double[] MEDIAN_PRICE = {89, 149, 39, 69, 79, 69, 24, 59, 44, 29, 34, 19};

    /** Share of the catalog per category. */
    private static final double[] CATEGORY_SHARE = {
        0.12, 0.08, 0.12, 0.09, 0.08, 0.07, 0.1, 0.06, 0.09, 0.07, 0.06, 0.06
    };

    private static final String[][] NOUNS = {
        {
            "Trail Runner",
            "Leather Sneaker",
            "Chelsea Boot",
            "Loafer",
            "Hiking Boot",
            "Canvas Low-Top",
            "Sandal"
        },
        {"Down Parka", "Rain Shell", "Wool Coat", "Puffer Vest", "Field Jacket", "Denim Jacket"},
        {"Oxford Shirt", "Linen Shirt", "Flannel Shirt", "Polo", "Crew Tee", "Henley"},
        {"Slim Chino", "Straight Jeans", "Cargo Pant", "Wool Trouser", "Jogger"},
        {"Wrap Dress", "Midi Dress", "Shirt Dress", "Knit Dress", "Slip Dress"},
        {"Merino Crew", "Cable Cardigan", "Cashmere Sweater", "Zip Hoodie", "Rollneck"},
        {"Leather Belt", "Beanie", "Scarf", "Sunglasses", "Gloves", "Cap", "Socks 3-Pack"},
        {"Backpack", "Tote", "Crossbody Bag", "Weekender", "Laptop Sleeve"},
        {"Running Tight", "Training Tee", "Sports Bra", "Track Jacket", "Yoga Pant", "Gym Short"},
        {"Kids Parka", "Kids Sneaker", "Kids Hoodie", "Baby Bodysuit", "Kids Jeans"},
        {"Throw Blanket", "Linen Duvet Set", "Scented Candle", "Ceramic Mug Set", "Cushion Cover"},
        {"Face Cream", "Shower Gel", "Lip Balm", "Hand Cream", "Eau de Toilette", "Shampoo"}
    };
    private static final String[] ADJECTIVES = {
        "Alpine",
        "Nordic",
        "Urban",
        "Classic",
        "Coastal",
        "Essential",
        "Heritage",
        "Studio",
        "Weekend",
        "Summit",
        "Harbor",
        "Meadow",
        "Canyon",
        "Arctic",
        "Riviera"
    };
    private static final String[] CATEGORY_CODES = {
        "SHO", "JAC", "SHI", "TRO", "DRE", "KNI", "ACC", "BAG", "SPO", "KID", "HOM", "BEA"
    };

    static final int DEFAULT_SIZE = 500;

    /** Zipf exponent of product popularity. */
    private static final double ZIPF = 0.8;

    final Product[] byRank;
    private final double[] rankCumulative;
    private final int[][] categoryRanks;
    private final double[][] categoryCumulative;

    /**
     * @param expectedDailyOrders used to size stock: a product starts with 12-30 days of its
     *     expected sales and is reordered at 5 days
     */
    Catalog(long seed, int size, double expectedDailyOrders) {
        SplittableRandom r = Rand.stream(seed, 0xCA7A106L);
        double[] catCum = Rand.cumulative(CATEGORY_SHARE);
        Product[] products = new Product[size];
        for (int i = 0; i < size; i++) {
            int cat = Rand.pick(r, catCum);
            String id = String.format("p-%05d", i + 1);
            String sku = "WF-" + CATEGORY_CODES[cat] + "-" + (10_001 + i);
            String name = Rand.pick(r, ADJECTIVES) + " " + Rand.pick(r, NOUNS[cat]);
            long euros = Math.max(4, (long) Rand.logNormal(r, MEDIAN_PRICE[cat], 0.35));
            long price = euros * 100 + (r.nextBoolean() ? 95 : 99);
            products[i] = new Product(id, sku, name, CATEGORIES[cat], cat, price);
        }
        // popularity: a random permutation of ranks, Zipf weights by rank
        int[] order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        for (int i = size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        byRank = new Product[size];
        double[] weights = new double[size];
        double total = 0;
        for (int rank = 0; rank < size; rank++) {
            Product p = products[order[rank]];
            p.rank = rank;
            weights[rank] = 1.0 / StrictMath.pow(rank + 1, ZIPF);
            total += weights[rank];
            byRank[rank] = p;
        }
        rankCumulative = Rand.cumulative(weights);
        double unitsPerOrder = 1.7;
        for (int rank = 0; rank < size; rank++) {
            Product p = byRank[rank];
            double dailyUnits = expectedDailyOrders * unitsPerOrder * weights[rank] / total;
            p.reorderPoint = (int) Math.max(3, Math.round(dailyUnits * 5));
            p.restockQuantity = (int) Math.max(12, Math.round(dailyUnits * 20));
            int initial = (int) Math.max(6, Math.round(dailyUnits * (12 + r.nextDouble() * 18)));
            p.available = initial;
            p.ledger = initial;
        }
        // per-category popularity
        categoryRanks = new int[CATEGORIES.length][];
        categoryCumulative = new double[CATEGORIES.length][];
        for (int c = 0; c < CATEGORIES.length; c++) {
            List<Integer> ranks = new ArrayList<>();
            for (int rank = 0; rank < size; rank++)
                if (byRank[rank].categoryIndex == c) ranks.add(rank);
            categoryRanks[c] = ranks.stream().mapToInt(Integer::intValue).toArray();
            double[] w = new double[categoryRanks[c].length];
            for (int k = 0; k < w.length; k++) w[k] = weights[categoryRanks[c][k]];
            categoryCumulative[c] = Rand.cumulative(w);
        }
    }

    /** A product, by popularity. */
    Product pick(SplittableRandom r) {
        return byRank[Rand.pick(r, rankCumulative)];
    }

    /** A product of one category, by popularity. */
    Product pickInCategory(SplittableRandom r, int category) {
        int[] ranks = categoryRanks[category];
        if (ranks.length == 0) return pick(r);
        return byRank[ranks[Rand.pick(r, categoryCumulative[category])]];
    }

    /**
     * {@code top} (the most popular), {@code topN}, a product id or a SKU; null if none matches.
     */
    Product resolve(String spec) {
        if (spec.equals("top")) return byRank[0];
        if (spec.matches("top[0-9]+")) {
            int n = Integer.parseInt(spec.substring(3));
            return n >= 1 && n <= byRank.length ? byRank[n - 1] : null;
        }
        return Arrays.stream(byRank)
                .filter(p -> p.id.equals(spec) || p.sku.equals(spec))
                .findFirst()
                .orElse(null);
    }

    int size() {
        return byRank.length;
    }

    /** One product and its mutable state (price, stock) during a run. */
    static final class Product {
        final String id;
        final String sku;
        final String name;
        final String category;
        final int categoryIndex;
        int rank;

        /** Current catalog price, EUR minor units; changed by price_changed. */
        long priceEur;

        /**
         * Stock as the generator sees it when it decides a cart add (orders reserve here when they
         * are generated).
         */
        int available;

        /**
         * Stock as the ERP reports it, in output order (stock_changed events are computed from it).
         */
        int ledger;

        int reorderPoint;
        int restockQuantity;
        boolean restockPending;

        /** Units withheld by a stock-out (quality hold), released when it ends. */
        int held;

        Product(
                String id,
                String sku,
                String name,
                String category,
                int categoryIndex,
                long priceEur) {
            this.id = id;
            this.sku = sku;
            this.name = name;
            this.category = category;
            this.categoryIndex = categoryIndex;
            this.priceEur = priceEur;
        }
    }
}
