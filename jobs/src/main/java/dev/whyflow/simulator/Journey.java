package dev.whyflow.simulator;

import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Payload;
import dev.whyflow.simulator.Catalog.Product;
import dev.whyflow.simulator.Population.Person;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One session of one visitor, generated in full when the simulation clock reaches its start: the
 * pages they see (with load times and engagement heartbeats), searches, product views, cart
 * changes, the checkout steps, payment attempts and the order, plus the ERP's and the payment
 * service's events that the order causes later (stock, shipment, refund).
 *
 * <p>Every decision draws from the session's own random stream; the shop's shared state (stock,
 * prices, releases, incidents) is read at the simulated time of the decision.
 */
final class Journey {

    enum Page {
        HOME("/", "home", 16_000, 1.0),
        CATEGORY(null, "category", 30_000, 1.1),
        SEARCH("/search", "search", 21_500, 1.25),
        PRODUCT(null, "product", 45_500, 1.0),
        CART("/cart", "cart", 23_500, 0.9),
        CAMPAIGN(null, "campaign", 27_000, 1.05),
        ACCOUNT("/account", "account", 19_500, 1.0),
        CHECKOUT_SHIPPING("/checkout/shipping", "checkout_shipping", 40_000, 1.3),
        CHECKOUT_PAYMENT("/checkout/payment", "checkout_payment", 32_000, 1.3),
        CHECKOUT_REVIEW("/checkout/review", "checkout_review", 18_000, 1.2),
        CONFIRMATION("/order/confirmation", "order_confirmation", 22_000, 1.1);

        final String path;
        final String type;
        final double medianDwellMs;
        final double loadFactor;

        Page(String path, String type, double medianDwellMs, double loadFactor) {
            this.path = path;
            this.type = type;
            this.medianDwellMs = medianDwellMs;
            this.loadFactor = loadFactor;
        }

        boolean checkout() {
            return this == CHECKOUT_SHIPPING || this == CHECKOUT_PAYMENT || this == CHECKOUT_REVIEW;
        }
    }

    /** A visitor across the sessions of one day: who, and what is in their cart. */
    static final class Visit {
        final Person person;
        final int day;
        final int index;
        String cartId;
        final List<Line> cart = new ArrayList<>();
        boolean ordered;
        String registeredCustomerId;

        Visit(Person person, int day, int index) {
            this.person = person;
            this.day = day;
            this.index = index;
        }
    }

    static final class Line {
        final Product product;
        int quantity;
        final long unitPrice;

        Line(Product product, int quantity, long unitPrice) {
            this.product = product;
            this.quantity = quantity;
            this.unitPrice = unitPrice;
        }
    }

    private static final String[] SEARCH_TERMS = {
        "running shoes",
        "rain jacket",
        "merino",
        "linen shirt",
        "jeans",
        "backpack",
        "dress",
        "gift",
        "sale",
        "boots",
        "hoodie",
        "kids",
        "candle",
        "sneakers",
        "wool coat",
        "yoga",
        "socks",
        "leather belt",
        "swimwear",
        "puffer",
        "cashmere",
        "chino",
        "sunglasses",
        "tote bag"
    };
    private static final String[] SOCIAL_REFERRERS = {
        "https://www.instagram.com/",
        "https://www.facebook.com/",
        "https://www.tiktok.com/",
        "https://www.pinterest.com/"
    };
    private static final String[] AFFILIATE_REFERRERS = {
        "https://www.idealo.de/",
        "https://www.mydealz.de/",
        "https://www.hotukdeals.com/",
        "https://www.dealabs.com/"
    };
    private static final String[] PAYPAL_FAILURES = {
        "authentication_failed", "card_declined", "provider_unavailable"
    };
    private static final double[] PAYPAL_FAILURES_CUM = Rand.cumulative(0.5, 0.35, 0.15);
    private static final String[] CARD_FAILURES = {
        "card_declined", "insufficient_funds", "expired_card", "authentication_failed"
    };
    private static final double[] CARD_FAILURES_CUM = Rand.cumulative(0.45, 0.2, 0.1, 0.25);
    private static final String[] KLARNA_FAILURES = {"card_declined", "fraud_suspected"};
    private static final double[] KLARNA_FAILURES_CUM = Rand.cumulative(0.75, 0.25);
    private static final String[] WALLET_FAILURES = {"authentication_failed", "card_declined"};
    private static final double[] WALLET_FAILURES_CUM = Rand.cumulative(0.6, 0.4);
    private static final String[] OUTAGE_FAILURES = {"provider_unavailable", "timeout"};
    private static final double[] OUTAGE_FAILURES_CUM = Rand.cumulative(0.6, 0.4);
    private static final String[] REFUND_REASONS = {
        "wrong_size", "changed_mind", "damaged", "not_as_described", "late_delivery"
    };
    private static final double[] REFUND_REASONS_CUM = Rand.cumulative(0.4, 0.25, 0.12, 0.15, 0.08);
    private static final String[] WAREHOUSES = {"wh-venlo", "wh-erfurt"};

    private final ShopSimulation shop;
    private final SplittableRandom r;
    private final Visit visit;
    private final Person person;
    private final DeviceProfile device;
    private final Platform platform;
    private final Releases.Release release;
    private final String source;
    private final String journeyId;
    private final String sessionId;
    private final String channel;
    private final int sessionIndex;
    private final String anonymousId;
    private Actor actor;
    private final EventContext base;
    private final double intent;
    private final double networkFactor;
    private final Country country;
    private String discountCode;
    private Incident.DiscountExpired discountIncident;
    private boolean affectedBySlowCheckout;

    final List<Event> events = new ArrayList<>(128);
    final List<ShopSimulation.Effect> effects = new ArrayList<>(128);
    private long t;
    private boolean left;
    private boolean landing = true;

    /** A product just taken out of the cart that the visitor goes back to. */
    private Product reconsider;

    private Product reconsidering;
    private String previousPath;

    Journey(
            ShopSimulation shop,
            SplittableRandom r,
            Visit visit,
            int sessionIndex,
            long start,
            String channel) {
        this.shop = shop;
        this.r = r;
        this.visit = visit;
        this.person = visit.person;
        this.t = start;
        this.channel = channel;
        this.sessionIndex = sessionIndex;
        this.country = person.country;
        boolean otherDevice = r.nextDouble() < 0.12;
        this.device =
                otherDevice
                        ? Rand.pick(r, DeviceProfile.ALL, DeviceProfile.CUMULATIVE)
                        : person.device;
        this.platform = device.platform;
        this.release = shop.releases.current(platform, start, person.lagFactor);
        this.source = platform.source;
        this.journeyId = Rand.uuid(r);
        this.sessionId = platform.isApp() ? null : Rand.uuid(r);
        if (otherDevice && device != person.device) {
            this.anonymousId =
                    Rand.uuid(
                            new SplittableRandom(
                                    Rand.seed(person.webAnonymousId.hashCode(), device.ordinal())));
        } else {
            this.anonymousId = platform.isApp() ? person.appAnonymousId : person.webAnonymousId;
        }
        String customerId =
                visit.registeredCustomerId != null
                        ? visit.registeredCustomerId
                        : person.customerId != null
                                        && r.nextDouble() < (platform.isApp() ? 0.9 : 0.55)
                                ? person.customerId
                                : null;
        this.actor = new Actor(customerId, anonymousId, sessionId);

        EventContext c = new EventContext();
        c.device = device.device;
        c.os = device.os;
        String osVersion = device == person.device ? person.osVersion : device.pickOsVersion(r);
        c.osVersion = osVersion;
        c.appVersion = release.version;
        if (platform.isApp()) {
            c.userAgent =
                    DeviceProfile.appUserAgent(release.version, device.os, osVersion, person.model);
        } else {
            String browser = device == person.device ? person.browser : device.pickBrowser(r);
            c.browser = browser;
            c.userAgent =
                    device == person.device
                            ? person.webUserAgent
                            : device.webUserAgent(osVersion, browser);
        }
        c.channel = channel;
        c.country = country.name();
        c.locale = country.locale;
        c.customerSegment =
                visit.ordered && person.segment.equals(Population.NEW)
                        ? Population.RETURNING
                        : person.segment;
        c.referrer = referrer();
        c.campaign = campaign(start);
        this.base = c;
        this.networkFactor = Rand.logNormal(r, 1.0, 0.3);

        double segmentFactor =
                switch (c.customerSegment) {
                    case Population.VIP -> 1.9;
                    case Population.RETURNING -> 1.25;
                    default -> 0.8;
                };
        double channelFactor =
                switch (channel) {
                    case "email" -> 1.25;
                    case "paid_search" -> 1.1;
                    case "direct" -> 1.1;
                    case "affiliate" -> 1.05;
                    case "social" -> 0.65;
                    default -> 0.9;
                };
        double deviceFactor =
                platform.isApp()
                        ? 1.25
                        : device.device.equals("desktop")
                                ? 1.1
                                : device.device.equals("tablet") ? 1.0 : 0.78;
        double returning = sessionIndex > 0 && !visit.cart.isEmpty() ? 1.6 : 1.0;
        double withCode = discountCode != null ? 1.2 : 1.0;
        this.intent =
                person.propensity
                        * segmentFactor
                        * channelFactor
                        * deviceFactor
                        * returning
                        * withCode
                        * Rand.logNormal(r, 1.0, 0.5);
    }

    private String referrer() {
        return switch (channel) {
            case "organic_search" ->
                    r.nextDouble() < 0.9 ? "https://www.google.com/" : "https://www.bing.com/";
            case "paid_search" -> "https://www.google.com/";
            case "social" -> Rand.pick(r, SOCIAL_REFERRERS);
            case "affiliate" -> Rand.pick(r, AFFILIATE_REFERRERS);
            default -> null;
        };
    }

    /** The campaign of the session, and the discount code the visitor carries (if any). */
    private String campaign(long start) {
        Incident.DiscountExpired expired = shop.discountIncident(channel, start);
        if (expired != null && r.nextDouble() < 0.9) {
            discountCode = expired.code();
            discountIncident = expired;
            return "promo-" + expired.code().toLowerCase();
        }
        switch (channel) {
            case "email" -> {
                if (r.nextDouble() < 0.7) discountCode = ShopSimulation.NEWSLETTER_CODE;
                return "newsletter-" + ShopSimulation.isoWeek(start);
            }
            case "paid_search" -> {
                return r.nextDouble() < 0.6 ? "sem-brand" : "sem-generic";
            }
            case "affiliate" -> {
                return "affiliate-deals";
            }
            case "social" -> {
                return r.nextDouble() < 0.5 ? "social-paid" : null;
            }
            default -> {
                if (platform.isApp() && shop.pushCampaignAt(start)) return "push-weekend-deals";
                return null;
            }
        }
    }

    // ------------------------------------------------------------------ the session

    void run() {
        Page landing;
        Product product = null;
        int category = -1;
        switch (channel) {
            case "organic_search" -> landing = pickPage(0.5, 0.35, 0.15);
            case "paid_search", "affiliate" ->
                    landing = r.nextDouble() < 0.75 ? Page.PRODUCT : Page.CATEGORY;
            case "social" -> landing = r.nextDouble() < 0.8 ? Page.PRODUCT : Page.HOME;
            case "email" ->
                    landing = r.nextDouble() < 0.5 ? Page.CAMPAIGN : pickPage(0.3, 0.2, 0.0);
            default ->
                    landing =
                            sessionIndex > 0 && !visit.cart.isEmpty() && r.nextDouble() < 0.5
                                    ? Page.CART
                                    : r.nextDouble() < 0.85 ? Page.HOME : Page.ACCOUNT;
        }
        if (landing == Page.PRODUCT) product = shop.catalog.pick(r);
        if (landing == Page.CATEGORY || landing == Page.CAMPAIGN)
            category = r.nextInt(Catalog.CATEGORIES.length);
        String landingPath = path(landing, product, category);

        Event started =
                emit(
                        EventType.SESSION_STARTED,
                        t,
                        sessionId != null ? sessionId : journeyId,
                        pageContext(landingPath));
        started.payload.landingPage = landingPath;
        started.payload.visitNumber = person.previousVisits + sessionIndex + 1;
        t += 20 + r.nextInt(300);

        Page page = landing;
        for (int n = 0; n < 80 && !left && page != null; n++) {
            Page next;
            switch (page) {
                case PRODUCT -> next = productPage(product);
                case CART -> next = cartPage();
                case SEARCH -> {
                    next = searchPage();
                    if (next == Page.PRODUCT) product = lastSearchHit;
                }
                case CATEGORY, CAMPAIGN -> next = listingPage(page, category);
                case HOME, ACCOUNT -> next = simplePage(page);
                case CHECKOUT_SHIPPING -> next = checkout();
                case CONFIRMATION -> next = confirmationPage();
                default -> throw new IllegalStateException(page.toString());
            }
            if (page == Page.PRODUCT && product != null && r.nextDouble() < 0.6)
                category = product.categoryIndex;
            if (next == Page.PRODUCT && reconsider != null) {
                product = reconsider;
                reconsider = null;
                reconsidering = product;
            } else if (next == Page.PRODUCT && page != Page.SEARCH) {
                product =
                        category >= 0 && r.nextDouble() < 0.7
                                ? shop.catalog.pickInCategory(r, category)
                                : shop.catalog.pick(r);
            }
            if (next == Page.CATEGORY) {
                category =
                        product != null && r.nextDouble() < 0.5
                                ? product.categoryIndex
                                : r.nextInt(Catalog.CATEGORIES.length);
            }
            page = next;
        }
    }

    private Page pickPage(double product, double category, double home) {
        double x = r.nextDouble() * (product + category + home);
        return x < product ? Page.PRODUCT : x < product + category ? Page.CATEGORY : Page.HOME;
    }

    private static String path(Page page, Product product, int category) {
        return switch (page) {
            case PRODUCT -> "/p/" + product.id;
            case CATEGORY -> "/c/" + Catalog.CATEGORIES[category];
            case CAMPAIGN -> "/campaign/" + Catalog.CATEGORIES[category];
            default -> page.path;
        };
    }

    /**
     * Weighted choice of the next page; EXIT is null. A visitor may bounce from the landing page.
     */
    private Page next(double... pageWeightPairs) {
        if (landing) {
            landing = false;
            double bounce =
                    switch (channel) {
                        case "social" -> 0.5;
                        case "organic_search", "paid_search" -> 0.36;
                        case "direct" -> 0.2;
                        default -> 0.3;
                    };
            if (r.nextDouble() < bounce / StrictMath.sqrt(Math.max(0.3, intent))) return null;
        }
        double total = 0;
        for (int i = 1; i < pageWeightPairs.length; i += 2) total += pageWeightPairs[i];
        double x = r.nextDouble() * total;
        for (int i = 1; i < pageWeightPairs.length; i += 2) {
            x -= pageWeightPairs[i];
            if (x < 0) {
                int p = (int) pageWeightPairs[i - 1];
                return p < 0 ? null : Page.values()[p];
            }
        }
        return null;
    }

    private static final double EXIT = -1;

    private static double p(Page page) {
        return page.ordinal();
    }

    private double exitWeight(double base) {
        return base / StrictMath.sqrt(Math.max(0.2, intent));
    }

    private double cartWeight(double w) {
        return visit.cart.isEmpty() ? 0 : w;
    }

    private Page simplePage(Page page) {
        PageView v = view(page, page.path, null);
        if (v == null) return null;
        dwell(v, page);
        if (page == Page.ACCOUNT) {
            return next(
                    p(Page.HOME),
                    0.35,
                    p(Page.CATEGORY),
                    0.3,
                    p(Page.CART),
                    cartWeight(0.15),
                    EXIT,
                    exitWeight(0.15));
        }
        return next(
                p(Page.CATEGORY),
                0.45,
                p(Page.SEARCH),
                0.2,
                p(Page.PRODUCT),
                0.15,
                p(Page.CART),
                cartWeight(0.12),
                p(Page.ACCOUNT),
                0.03,
                EXIT,
                exitWeight(0.058));
    }

    private Page listingPage(Page page, int category) {
        PageView v = view(page, path(page, null, category), Catalog.CATEGORIES[category]);
        if (v == null) return null;
        dwell(v, page);
        return next(
                p(Page.PRODUCT),
                0.64,
                p(Page.CATEGORY),
                0.1,
                p(Page.SEARCH),
                0.07,
                p(Page.CART),
                cartWeight(0.06),
                EXIT,
                exitWeight(0.054));
    }

    private Product lastSearchHit;

    private Page searchPage() {
        PageView v = view(Page.SEARCH, Page.SEARCH.path, null);
        if (v == null) return null;
        String term = Rand.pick(r, SEARCH_TERMS);
        boolean none = r.nextDouble() < 0.06;
        lastSearchHit = shop.catalog.pick(r);
        Event s =
                emit(EventType.SEARCH_PERFORMED, t + 15 + r.nextInt(100), Rand.uuid(r), v.context);
        s.payload.query = term;
        s.payload.resultsCount = none ? 0 : 3 + (int) Rand.exponential(r, 40);
        if (!none && r.nextDouble() < 0.3) s.payload.category = lastSearchHit.category;
        dwell(v, Page.SEARCH);
        if (none) {
            return next(p(Page.SEARCH), 0.35, p(Page.CATEGORY), 0.25, EXIT, exitWeight(0.4));
        }
        return next(
                p(Page.PRODUCT),
                0.68,
                p(Page.SEARCH),
                0.1,
                p(Page.CATEGORY),
                0.06,
                EXIT,
                exitWeight(0.075));
    }

    private Page productPage(Product product) {
        PageView v = view(Page.PRODUCT, "/p/" + product.id, product.category);
        if (v == null) return null;
        boolean held = shop.stockHeld(product, t);
        boolean inStock = !held && product.available > 0;
        long price = country.localPrice(product.priceEur);
        Event pv = emit(EventType.PRODUCT_VIEWED, t + 3 + r.nextInt(40), product.id, v.context);
        pv.causedBy = v.event.eventId;
        Payload p = pv.payload;
        p.productId = product.id;
        p.productName = product.name;
        p.category = product.category;
        p.priceMinor = price;
        p.currency = country.currency;
        p.stockStatus =
                !inStock
                        ? "out_of_stock"
                        : product.available <= product.reorderPoint / 2 ? "low_stock" : "in_stock";
        shop.truth.productViewed(product, t, held);

        long dwell = dwellTime(Page.PRODUCT);
        boolean added = false;
        double priceFactor =
                Math.max(
                        0.6,
                        Math.min(
                                1.4,
                                StrictMath.pow(8000.0 / Math.max(500, product.priceEur), 0.25)));
        boolean inCart = visit.cart.stream().anyMatch(l -> l.product == product);
        double pAdd =
                product == reconsidering
                        ? 0.45
                        : Math.min(0.6, 0.0096 * intent * priceFactor * (inCart ? 0.3 : 1.0));
        reconsidering = null;
        if (r.nextDouble() < pAdd) {
            long at = t + (long) (dwell * (0.4 + 0.5 * r.nextDouble()));
            boolean heldThen = shop.stockHeld(product, at);
            if (inStock && !heldThen) {
                addToCart(product, price, at, v.context, pv.eventId);
                added = true;
            } else {
                // the add-to-cart button is disabled (or the add fails: "no longer available")
                shop.truth.cartAddBlocked(product, at, heldThen);
            }
        }
        heartbeats(v, Page.PRODUCT, dwell);
        t += dwell;
        if (added) {
            return next(
                    p(Page.CART),
                    0.45 * Math.min(2, intent),
                    p(Page.PRODUCT),
                    0.25,
                    p(Page.CATEGORY),
                    0.12,
                    p(Page.SEARCH),
                    0.05,
                    EXIT,
                    exitWeight(0.054));
        }
        if (!inStock) {
            // looking for an alternative, or gone
            return next(
                    p(Page.PRODUCT),
                    0.4,
                    p(Page.CATEGORY),
                    0.2,
                    p(Page.SEARCH),
                    0.1,
                    EXIT,
                    exitWeight(0.25));
        }
        return next(
                p(Page.PRODUCT),
                0.36,
                p(Page.CATEGORY),
                0.15,
                p(Page.SEARCH),
                0.07,
                p(Page.CART),
                cartWeight(0.1),
                EXIT,
                exitWeight(0.058));
    }

    private void addToCart(
            Product product, long price, long at, EventContext ctx, String causedBy) {
        if (visit.cartId == null) visit.cartId = "cart-" + Rand.uuid(r);
        int qty = r.nextDouble() < 0.86 ? 1 : r.nextDouble() < 0.8 ? 2 : 3;
        Line existing = null;
        for (Line l : visit.cart) if (l.product == product) existing = l;
        if (existing != null) existing.quantity += qty;
        else visit.cart.add(new Line(product, qty, price));
        Event e = emit(EventType.CART_ITEM_ADDED, at, visit.cartId, ctx);
        e.causedBy = causedBy;
        cartPayload(e.payload, product, qty, price);
    }

    private void cartPayload(Payload p, Product product, int qty, long price) {
        p.productId = product.id;
        p.productName = product.name;
        p.category = product.category;
        p.quantity = qty;
        p.priceMinor = price;
        p.currency = country.currency;
        int items = 0;
        long value = 0;
        for (Line l : visit.cart) {
            items += l.quantity;
            value += l.quantity * l.unitPrice;
        }
        p.cartItems = items;
        p.cartValueMinor = value;
    }

    private Page cartPage() {
        PageView v = view(Page.CART, Page.CART.path, null);
        if (v == null) return null;
        long dwell = dwellTime(Page.CART);
        if (!visit.cart.isEmpty() && r.nextDouble() < 0.12) {
            Line line = visit.cart.get(r.nextInt(visit.cart.size()));
            int qty = line.quantity > 1 && r.nextBoolean() ? 1 : line.quantity;
            line.quantity -= qty;
            if (line.quantity == 0) visit.cart.remove(line);
            Event e = emit(EventType.CART_ITEM_REMOVED, t + dwell / 2, visit.cartId, v.context);
            cartPayload(e.payload, line.product, qty, line.unitPrice);
            // second thoughts: some go back to the product they just took out
            if (r.nextDouble() < 0.3) reconsider = line.product;
        }
        heartbeats(v, Page.CART, dwell);
        t += dwell;
        if (reconsider != null) return Page.PRODUCT;
        if (visit.cart.isEmpty()) {
            return next(p(Page.CATEGORY), 0.4, p(Page.SEARCH), 0.2, EXIT, exitWeight(0.4));
        }
        double checkout = Math.min(0.9, 0.38 * StrictMath.pow(intent, 0.7));
        return next(
                p(Page.CHECKOUT_SHIPPING),
                checkout,
                p(Page.PRODUCT),
                0.16,
                p(Page.CATEGORY),
                0.1,
                EXIT,
                exitWeight(0.24));
    }

    // ------------------------------------------------------------------ checkout

    private Page checkout() {
        // the shop takes what is no longer available out of the cart before checkout starts
        EventContext cartCtx = pageContext(Page.CART.path);
        for (Line l : new ArrayList<>(visit.cart)) {
            if (shop.stockHeld(l.product, t) || l.product.available < l.quantity) {
                visit.cart.remove(l);
                Event e = emit(EventType.CART_ITEM_REMOVED, t + 100, visit.cartId, cartCtx);
                cartPayload(e.payload, l.product, l.quantity, l.unitPrice);
                shop.truth.cartLineWithdrawn(l.product, t);
            }
        }
        if (visit.cart.isEmpty()) {
            t += 2_000;
            return r.nextDouble() < 0.5 ? Page.CATEGORY : null;
        }
        String checkoutId = "chk-" + Rand.uuid(r);
        long subtotal = 0;
        int items = 0;
        for (Line l : visit.cart) {
            subtotal += l.quantity * l.unitPrice;
            items += l.quantity;
        }
        t += 300 + r.nextInt(1500);
        Event started = emit(EventType.CHECKOUT_STARTED, t, checkoutId, cartCtx);
        started.payload.itemCount = items;
        started.payload.amountMinor = subtotal;
        started.payload.currency = country.currency;
        shop.truth.checkoutStarted(this);
        if (actor.customerId == null && r.nextDouble() < 0.6) {
            // logs in, or registers (identity from here on)
            String id = person.customerId != null ? person.customerId : person.newCustomerId;
            visit.registeredCustomerId = id;
            actor = new Actor(id, anonymousId, sessionId);
        }
        double commitment = 1.0 / StrictMath.pow(Math.max(0.3, intent), 0.35);

        // shipping
        PageView v = view(Page.CHECKOUT_SHIPPING, Page.CHECKOUT_SHIPPING.path, null);
        if (v == null || abandon(0.25 * commitment)) return checkoutLost(v, Page.CHECKOUT_SHIPPING);
        String shipping =
                r.nextDouble() < 0.72 ? "standard" : r.nextDouble() < 0.72 ? "express" : "pickup";
        stepCompleted(v, Page.CHECKOUT_SHIPPING, "shipping", started, shipping);

        // payment (and the discount code)
        v = view(Page.CHECKOUT_PAYMENT, Page.CHECKOUT_PAYMENT.path, null);
        if (v == null || abandon(0.17 * commitment)) return checkoutLost(v, Page.CHECKOUT_PAYMENT);
        long discount = 0;
        String appliedCode = null;
        String code = discountCode;
        if (code == null && r.nextDouble() < 0.04)
            code =
                    r.nextDouble() < 0.5
                            ? "WELCOME10"
                            : r.nextDouble() < 0.5 ? "FREESHIP" : "SUMMER24";
        if (code != null && r.nextDouble() < 0.9) {
            long at = t + 4_000 + r.nextLong(12_000);
            String rejection = discountRejection(code, at);
            if (rejection == null) {
                discount = Math.round(subtotal * discountRate(code));
                appliedCode = code;
                Event d = emit(EventType.DISCOUNT_APPLIED, at, checkoutId, v.context);
                d.causedBy = started.eventId;
                d.payload.discountCode = code;
                d.payload.discountMinor = discount;
                d.payload.currency = country.currency;
            } else {
                Event d = emit(EventType.DISCOUNT_REJECTED, at, checkoutId, v.context);
                d.causedBy = started.eventId;
                d.payload.discountCode = code;
                d.payload.reason = rejection;
                boolean promised = code.equals(discountCode);
                if (discountIncident != null && promised)
                    shop.truth.discountRejected(discountIncident);
                if (abandon(promised ? 0.6 : 0.1)) {
                    heartbeats(v, Page.CHECKOUT_PAYMENT, at - t + 3_000);
                    t = at + 3_000;
                    return checkoutLost(null, Page.CHECKOUT_PAYMENT);
                }
            }
        }
        stepCompleted(v, Page.CHECKOUT_PAYMENT, "payment", started, null);

        // review
        v = view(Page.CHECKOUT_REVIEW, Page.CHECKOUT_REVIEW.path, null);
        if (v == null || abandon(0.10 * commitment)) return checkoutLost(v, Page.CHECKOUT_REVIEW);
        stepCompleted(v, Page.CHECKOUT_REVIEW, "review", started, null);

        long shippingFee =
                switch (shipping) {
                    case "express" -> country.localPrice(995);
                    case "standard" ->
                            subtotal >= country.localPrice(5000) ? 0 : country.localPrice(495);
                    default -> 0;
                };
        long amount = subtotal - discount + shippingFee;
        return pay(
                v.context,
                started,
                checkoutId,
                amount,
                items,
                shipping,
                shippingFee,
                appliedCode,
                discount);
    }

    private static double discountRate(String code) {
        return switch (code) {
            case ShopSimulation.NEWSLETTER_CODE, "WELCOME10" -> 0.10;
            default -> 0.15;
        };
    }

    /** Null if the code is accepted now, else the reason it is refused. */
    private String discountRejection(String code, long at) {
        if (discountIncident != null && code.equals(discountIncident.code())) {
            return discountIncident.activeAt(at) ? "expired" : null;
        }
        return switch (code) {
            case ShopSimulation.NEWSLETTER_CODE -> null;
            case "WELCOME10" ->
                    base.customerSegment.equals(Population.NEW) ? null : "not_applicable";
            case "FREESHIP" -> "invalid";
            case "SUMMER24" -> "expired";
            default -> "invalid";
        };
    }

    private boolean abandon(double p) {
        if (r.nextDouble() < p) {
            left = true;
            return true;
        }
        return false;
    }

    private void stepCompleted(
            PageView v, Page page, String step, Event started, String shippingMethod) {
        long dwell = dwellTime(page);
        heartbeats(v, page, dwell);
        t += dwell;
        Event e = emit(EventType.CHECKOUT_STEP_COMPLETED, t, started.entity.id, v.context);
        e.causedBy = started.eventId;
        e.payload.step = step;
        e.payload.dwellMs = t - v.event.occurredAt;
        e.payload.shippingMethod = shippingMethod;
        t += 200 + r.nextInt(800);
    }

    /**
     * The visitor abandoned the checkout on this page (after looking at it for a while, if it
     * loaded).
     */
    private Page checkoutLost(PageView v, Page page) {
        if (v != null) {
            long dwell = Math.min(dwellTime(page), 20_000);
            heartbeats(v, page, dwell);
            t += dwell;
        }
        left = true;
        return null;
    }

    private Page pay(
            EventContext ctx,
            Event started,
            String checkoutId,
            long amount,
            int items,
            String shipping,
            long shippingFee,
            String code,
            long discount) {
        List<String> methods = new ArrayList<>(5);
        methods.add("card");
        methods.add("paypal");
        if (country.klarnaPreference >= 0.05) methods.add("klarna");
        if (device.os.equals("ios") && (platform.isApp() || "safari".equals(base.browser)))
            methods.add("apple_pay");
        if (device.os.equals("android") && (platform.isApp() || "chrome".equals(base.browser)))
            methods.add("google_pay");
        String method = preferredMethod(methods);
        int sameMethodAttempts = 0;
        for (int attempt = 1; attempt <= 4; attempt++) {
            String paymentId = "pay-" + Rand.uuid(r);
            Event submitted = emit(EventType.PAYMENT_SUBMITTED, t, paymentId, ctx);
            submitted.causedBy = started.eventId;
            submitted.payload.method = method;
            submitted.payload.amountMinor = amount;
            submitted.payload.currency = country.currency;
            submitted.payload.attempt = attempt;
            sameMethodAttempts++;
            t += latency(method);
            Incident.PaymentFailure outage = shop.paymentIncident(method, t);
            double pFail = outage != null ? outage.rate() : baselineFailure(method);
            shop.truth.paymentAttempt(method, t, outage);
            if (r.nextDouble() >= pFail) {
                return orderCompleted(
                        ctx,
                        submitted,
                        checkoutId,
                        amount,
                        items,
                        shipping,
                        shippingFee,
                        code,
                        discount,
                        method);
            }
            Event failed = emit(EventType.PAYMENT_FAILED, t, paymentId, ctx);
            failed.source = "payments";
            failed.causedBy = submitted.eventId;
            Payload p = failed.payload;
            p.method = method;
            p.amountMinor = amount;
            p.currency = country.currency;
            p.attempt = attempt;
            p.failureCode =
                    outage != null
                            ? Rand.pick(r, OUTAGE_FAILURES, OUTAGE_FAILURES_CUM)
                            : baselineFailureCode(method);
            p.message = failureMessage(p.failureCode, method);
            if (outage != null) shop.truth.paymentFailedByIncident(outage);
            // the customer decides: same method again, another one, or leave
            double x = r.nextDouble();
            t += 4_000 + (long) Rand.exponential(r, 15_000);
            if (x < 0.22 && sameMethodAttempts < 2) {
                continue;
            }
            if (x < 0.68 && methods.size() > 1) {
                String other;
                do {
                    other = methods.get(r.nextInt(methods.size()));
                } while (other.equals(method));
                method = other;
                sameMethodAttempts = 0;
                continue;
            }
            left = true;
            return null;
        }
        left = true;
        return null;
    }

    private String preferredMethod(List<String> methods) {
        double card = country.cardPreference;
        double paypal = country.paypalPreference;
        double klarna = methods.contains("klarna") ? country.klarnaPreference : 0;
        double apple = methods.contains("apple_pay") ? 0.35 : 0;
        double google = methods.contains("google_pay") ? 0.18 : 0;
        double x = r.nextDouble() * (card + paypal + klarna + apple + google);
        if ((x -= card) < 0) return "card";
        if ((x -= paypal) < 0) return "paypal";
        if ((x -= klarna) < 0) return "klarna";
        if ((x -= apple) < 0) return "apple_pay";
        return "google_pay";
    }

    private long latency(String method) {
        return switch (method) {
            case "paypal" ->
                    Rand.logNormalMillis(
                            r, 30_000, 0.45, 6_000, 180_000); // redirect and log-in at PayPal
            case "klarna" -> Rand.logNormalMillis(r, 18_000, 0.45, 4_000, 120_000);
            case "card" -> Rand.logNormalMillis(r, 3_500, 0.5, 800, 60_000); // incl. 3-D Secure
            default -> Rand.logNormalMillis(r, 2_500, 0.4, 600, 20_000);
        };
    }

    private static double baselineFailure(String method) {
        return switch (method) {
            case "card" -> 0.07;
            case "paypal" -> 0.03;
            case "klarna" -> 0.09;
            default -> 0.02;
        };
    }

    private String baselineFailureCode(String method) {
        return switch (method) {
            case "card" -> Rand.pick(r, CARD_FAILURES, CARD_FAILURES_CUM);
            case "paypal" -> Rand.pick(r, PAYPAL_FAILURES, PAYPAL_FAILURES_CUM);
            case "klarna" -> Rand.pick(r, KLARNA_FAILURES, KLARNA_FAILURES_CUM);
            default -> Rand.pick(r, WALLET_FAILURES, WALLET_FAILURES_CUM);
        };
    }

    private static String failureMessage(String code, String method) {
        return switch (code) {
            case "provider_unavailable" -> method + " is not answering (HTTP 503)";
            case "timeout" -> method + " did not answer within 30 s";
            case "card_declined" -> "Declined by the issuer or provider";
            case "insufficient_funds" -> "Insufficient funds";
            case "expired_card" -> "Card expired";
            case "authentication_failed" -> "Customer authentication failed or was cancelled";
            default -> "Refused by risk checks";
        };
    }

    private Page orderCompleted(
            EventContext ctx,
            Event submitted,
            String checkoutId,
            long amount,
            int items,
            String shipping,
            long shippingFee,
            String code,
            long discount,
            String method) {
        // unique by construction: visitor (day, index), session, position in the session
        String orderId =
                "O-"
                        + ShopSimulation.compactDate(t)
                        + "-"
                        + Long.toString(visit.day * 10_000_000L + visit.index, 36).toUpperCase()
                        + "-"
                        + sessionIndex
                        + Integer.toString(events.size(), 36).toUpperCase();
        Event order = emit(EventType.ORDER_COMPLETED, t, orderId, ctx);
        order.causedBy = submitted.eventId;
        Payload p = order.payload;
        p.orderId = orderId;
        p.amountMinor = amount;
        p.currency = country.currency;
        p.itemCount = items;
        LineItem[] lines = new LineItem[visit.cart.size()];
        for (int i = 0; i < lines.length; i++) {
            Line l = visit.cart.get(i);
            lines[i] = new LineItem(l.product.id, l.quantity, l.unitPrice);
        }
        p.items = lines;
        p.paymentMethod = method;
        p.shippingMethod = shipping;
        p.shippingMinor = shippingFee;
        if (code != null) {
            p.discountCode = code;
            p.discountMinor = discount;
        }
        shop.truth.orderCompleted(this, amount, country.currency);
        shop.afterOrder(r, order, visit.cart, country, actor, journeyId);
        visit.cart.clear();
        visit.cartId = null;
        visit.ordered = true;
        t += 400 + r.nextInt(1500);
        return Page.CONFIRMATION;
    }

    private Page confirmationPage() {
        PageView v = view(Page.CONFIRMATION, Page.CONFIRMATION.path, null);
        if (v == null) return null;
        dwell(v, Page.CONFIRMATION);
        return next(p(Page.HOME), 0.08, p(Page.ACCOUNT), 0.07, EXIT, 0.85);
    }

    // ------------------------------------------------------------------ pages

    private record PageView(Event event, EventContext context) {}

    /**
     * Loads a page: page_viewed with its load time; a slow load makes visitors leave, a failing one
     * reports page_error. Returns null if the visitor is gone.
     */
    private PageView view(Page page, String path, String category) {
        int loadMs = loadTime(page);
        t += loadMs;
        EventContext ctx = pageContext(path);
        EventContext loadCtx = ctx.copy();
        loadCtx.pageLoadMs = loadMs;
        String pageViewId = Rand.uuid(r);
        Event pv = emit(EventType.PAGE_VIEWED, t, pageViewId, loadCtx);
        pv.payload.pageType = page.type;
        pv.payload.category = category;
        if (page.checkout()) shop.truth.checkoutPageLoaded(this, page, loadMs);
        previousPath = path;
        PageView view = new PageView(pv, ctx);

        // timeouts behind very slow pages, and the odd error anywhere
        double pError = 0.0025 + 0.35 * Rand.logistic((loadMs - 9_000) / 900.0);
        if (r.nextDouble() < pError) {
            boolean timeout = loadMs > 6_000;
            Event err = emit(EventType.PAGE_ERROR, t + 50 + r.nextInt(2000), pageViewId, ctx);
            err.causedBy = pv.eventId;
            int status =
                    timeout ? 504 : r.nextDouble() < 0.5 ? 500 : r.nextDouble() < 0.6 ? 502 : 404;
            err.payload.httpStatus = status;
            err.payload.errorCode =
                    timeout
                            ? (page.checkout() ? "CHECKOUT_TIMEOUT" : "GATEWAY_TIMEOUT")
                            : status == 404
                                    ? "NOT_FOUND"
                                    : status == 502 ? "BAD_GATEWAY" : "INTERNAL_ERROR";
            err.payload.message =
                    timeout
                            ? "Upstream did not answer in time"
                            : status == 404 ? "Page not found" : "Something went wrong";
            if (r.nextDouble() < (timeout ? 0.6 : 0.35)) {
                t += 2_000 + r.nextInt(5_000);
                left = true;
                return null;
            }
        }
        // waiting for a slow page makes people give up
        double pLeave = 0.55 * Rand.logistic((loadMs - 5_500) / 900.0);
        if (r.nextDouble() < pLeave) {
            long dwell = 1_000 + r.nextInt(6_000);
            heartbeats(view, page, dwell);
            t += dwell;
            left = true;
            return null;
        }
        return view;
    }

    private int loadTime(Page page) {
        double median;
        if (platform.isApp()) median = 650;
        else if (device.device.equals("desktop")) median = 1_150;
        else if (device.device.equals("tablet")) median = 1_500;
        else median = 1_900;
        median *= page.loadFactor * release.loadFactor * networkFactor;
        Incident.SlowCheckout slow = release.slowCheckout;
        if (page.checkout() && slow != null && slow.activeAt(t)) {
            median = slow.loadMs() * StrictMath.sqrt(networkFactor);
            if (!affectedBySlowCheckout) {
                affectedBySlowCheckout = true;
                shop.truth.slowCheckoutSession(slow);
            }
        }
        return (int) Math.max(120, Math.min(120_000, Rand.logNormal(r, median, 0.3)));
    }

    private long dwellTime(Page page) {
        return Rand.logNormalMillis(r, page.medianDwellMs, 0.75, 1_500, 15 * 60_000L);
    }

    private void dwell(PageView v, Page page) {
        long dwell = dwellTime(page);
        heartbeats(v, page, dwell);
        t += dwell;
    }

    /**
     * Engagement heartbeats every few seconds of the dwell time, with the deepest scroll so far.
     */
    private void heartbeats(PageView v, Page page, long dwell) {
        long interval = shop.options.heartbeatMs();
        if (interval <= 0) return;
        double depthTau = page == Page.PRODUCT ? 25_000 : page.checkout() ? 40_000 : 15_000;
        double maxDepth = person.scrollHabit * (page.checkout() ? 0.7 : 1.0);
        int seq = 0;
        for (long d = interval; d <= dwell; d += interval) {
            Event hb = emit(EventType.PAGE_ENGAGED, t + d, v.event.entity.id, v.context);
            hb.causedBy = v.event.eventId;
            hb.payload.dwellMs = d;
            hb.payload.scrollDepthPct =
                    (int) Math.round(100 * maxDepth * (1 - StrictMath.exp(-d / depthTau)));
            hb.payload.heartbeatSeq = ++seq;
        }
    }

    private EventContext pageContext(String path) {
        EventContext c = base.copy();
        c.page = path;
        if (platform.isApp()) c.referrer = null;
        else if (previousPath != null) c.referrer = ShopSimulation.SHOP_URL + previousPath;
        return c;
    }

    private Event emit(EventType type, long at, String entityId, EventContext ctx) {
        Event e = new Event();
        e.eventId = Rand.uuid(r);
        e.eventType = type;
        e.schemaVersion = 1;
        e.occurredAt = at;
        e.source = source;
        e.correlationId = journeyId;
        e.actor = actor;
        e.context = ctx;
        e.entity = new Entity(type.entityType(), entityId);
        e.payload = new Payload();
        events.add(e);
        effects.add(null);
        return e;
    }

    // ------------------------------------------------------------------ for the truth manifest

    Platform platform() {
        return platform;
    }

    Releases.Release release() {
        return release;
    }

    long now() {
        return t;
    }

    Incident.DiscountExpired discountIncident() {
        return discountIncident;
    }

    static String refundReason(SplittableRandom r) {
        return Rand.pick(r, REFUND_REASONS, REFUND_REASONS_CUM);
    }

    static String warehouse(SplittableRandom r) {
        return Rand.pick(r, WAREHOUSES);
    }
}
