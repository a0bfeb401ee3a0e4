package dev.whyflow.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Currency;
import java.util.Locale;
import java.util.UUID;

/**
 * A webhook adapter: Shopify's order webhook ({@code orders/create} or {@code orders/paid}, REST
 * Admin API JSON) as one {@code order_completed} event of the contract. The adapter only
 * translates; the event then goes through the validator like any other, so a mapping that cannot
 * fill the contract is refused with the validator's reason, not let through half-filled.
 *
 * <p>Choices where the platform's order says less than the contract asks:
 *
 * <ul>
 *   <li>{@code event_id} is a name-based UUID of the shop's order id, so the platform's retries of
 *       a webhook (Shopify retries failed deliveries for up to 48 hours) are the same event;
 *   <li>device and os come from {@code client_details.user_agent}; {@code app_version} (the
 *       storefront release) is not in an order and is {@code 0.0.0};
 *   <li>channel from the landing page's {@code utm_medium} or the referring site; country from the
 *       shipping address, else the billing address, else {@code ZZ} (unknown);
 *   <li>customer segment {@code returning} when the customer has more than one order, else {@code
 *       new};
 *   <li>money in minor units of the currency ({@link Currency#getDefaultFractionDigits()}).
 * </ul>
 *
 * Authenticity: the collector's API key in the webhook's URL ({@code ?key=}) and, when the shop's
 * signing secret is configured ({@code --shopify-secret}), Shopify's {@code X-Shopify-Hmac-Sha256}:
 * the base64 HMAC-SHA256 of the body under that secret ({@link #signedBy}).
 */
public final class ShopifyOrderWebhook {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private ShopifyOrderWebhook() {}

    public static byte[] toEvent(JsonNode order, String source) {
        ObjectNode e = JSON.createObjectNode();
        String orderId = order.path("id").asText("");
        e.put(
                "event_id",
                UUID.nameUUIDFromBytes(
                                ("shopify:order:" + orderId).getBytes(StandardCharsets.UTF_8))
                        .toString());
        e.put("event_type", "order_completed");
        e.put("schema_version", 1);
        String at = text(order, "processed_at", text(order, "created_at", null));
        if (at != null) e.put("occurred_at", utc(at));
        e.put("source", source);

        ObjectNode actor = e.putObject("actor");
        JsonNode customer = order.path("customer");
        if (customer.hasNonNull("id"))
            actor.put("customer_id", "shopify-c-" + customer.get("id").asText());
        String cart = text(order, "cart_token", text(order, "checkout_token", null));
        actor.put(
                "anonymous_id",
                cart != null
                        ? "shopify-" + cart
                        : customer.hasNonNull("id")
                                ? "shopify-c-" + customer.get("id").asText()
                                : "shopify-o-" + orderId);

        ObjectNode context = e.putObject("context");
        String ua = order.path("client_details").path("user_agent").asText("");
        context.put("device", device(ua));
        context.put("os", os(ua));
        context.put("app_version", "0.0.0");
        context.put(
                "channel",
                channel(text(order, "landing_site", ""), text(order, "referring_site", "")));
        String country =
                order.path("shipping_address")
                        .path("country_code")
                        .asText(order.path("billing_address").path("country_code").asText("ZZ"));
        context.put("country", country.toUpperCase(Locale.ROOT));
        int orders =
                customer.path("orders_count").asInt(customer.path("number_of_orders").asInt(1));
        context.put("customer_segment", orders > 1 ? "returning" : "new");
        if (!ua.isEmpty())
            context.put("user_agent", ua.length() > 1024 ? ua.substring(0, 1024) : ua);

        ObjectNode entity = e.putObject("entity");
        entity.put("type", "order");
        entity.put("id", "shopify-" + orderId);

        String currency = text(order, "currency", "");
        ObjectNode p = e.putObject("payload");
        p.put("order_id", "shopify-" + orderId);
        p.put("amount_minor", minor(text(order, "total_price", "0"), currency));
        p.put("currency", currency);
        ArrayNode items = p.putArray("items");
        int count = 0;
        for (JsonNode li : order.path("line_items")) {
            ObjectNode item = items.addObject();
            String product =
                    li.hasNonNull("product_id")
                            ? "shopify-p-" + li.get("product_id").asText()
                            : "shopify-sku-" + li.path("sku").asText("unknown");
            item.put("product_id", product);
            int q = li.path("quantity").asInt(1);
            item.put("quantity", q);
            item.put("unit_price_minor", minor(li.path("price").asText("0"), currency));
            count += q;
        }
        p.put("item_count", count);
        p.put("payment_method", paymentMethod(order.path("payment_gateway_names")));
        JsonNode shipping = order.path("shipping_lines").path(0);
        if (!shipping.isMissingNode()) {
            p.put(
                    "shipping_method",
                    shippingMethod(
                            shipping.path("code").asText("")
                                    + " "
                                    + shipping.path("title").asText("")));
            p.put("shipping_minor", minor(shipping.path("price").asText("0"), currency));
        }
        JsonNode discount = order.path("discount_codes").path(0);
        if (!discount.isMissingNode()) {
            String code = discount.path("code").asText("").toUpperCase(Locale.ROOT);
            if (code.matches("[A-Z0-9_-]{3,32}")) {
                p.put("discount_code", code);
                p.put("discount_minor", minor(discount.path("amount").asText("0"), currency));
            }
        }
        try {
            return JSON.writeValueAsBytes(e);
        } catch (Exception x) {
            throw new IllegalStateException(x);
        }
    }

    private static String text(JsonNode n, String field, String otherwise) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? otherwise : v.asText();
    }

    static String utc(String offsetTime) {
        try {
            return OffsetDateTime.parse(offsetTime)
                    .withOffsetSameInstant(ZoneOffset.UTC)
                    .format(UTC_MILLIS);
        } catch (RuntimeException e) {
            return offsetTime; // the validator says what is wrong with it
        }
    }

    static long minor(String amount, String currency) {
        int digits = 2;
        try {
            digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        } catch (RuntimeException unknownCurrency) {
            // the validator refuses the currency
        }
        try {
            return new BigDecimal(amount)
                    .movePointRight(digits)
                    .setScale(0, RoundingMode.HALF_UP)
                    .longValueExact();
        } catch (RuntimeException e) {
            return -1; // refused by the schema (minimum 0)
        }
    }

    static String device(String ua) {
        String u = ua.toLowerCase(Locale.ROOT);
        if (u.contains("ipad") || u.contains("tablet")) return "tablet";
        if (u.contains("mobile") || u.contains("iphone") || u.contains("android")) return "mobile";
        return "desktop";
    }

    static String os(String ua) {
        String u = ua.toLowerCase(Locale.ROOT);
        if (u.contains("iphone") || u.contains("ipad") || u.contains("ios")) return "ios";
        if (u.contains("android")) return "android";
        if (u.contains("windows")) return "windows";
        if (u.contains("mac os") || u.contains("macintosh")) return "macos";
        return "linux";
    }

    static String channel(String landingSite, String referringSite) {
        String landing = landingSite.toLowerCase(Locale.ROOT);
        String ref = referringSite.toLowerCase(Locale.ROOT);
        if (landing.contains("utm_medium=cpc")
                || landing.contains("utm_medium=paid")
                || landing.contains("gclid=")) return "paid_search";
        if (landing.contains("utm_medium=email")) return "email";
        if (landing.contains("utm_medium=affiliate")) return "affiliate";
        if (landing.contains("utm_medium=social")
                || ref.contains("facebook.")
                || ref.contains("instagram.")
                || ref.contains("tiktok.")
                || ref.contains("pinterest.")) return "social";
        if (ref.contains("google.")
                || ref.contains("bing.")
                || ref.contains("duckduckgo.")
                || ref.contains("ecosia.")) return "organic_search";
        return "direct";
    }

    static String paymentMethod(JsonNode gateways) {
        String g = gateways.path(0).asText("").toLowerCase(Locale.ROOT);
        if (g.contains("paypal")) return "paypal";
        if (g.contains("klarna")) return "klarna";
        if (g.contains("apple")) return "apple_pay";
        if (g.contains("google")) return "google_pay";
        return "card";
    }

    static String shippingMethod(String codeAndTitle) {
        String s = codeAndTitle.toLowerCase(Locale.ROOT);
        if (s.contains("pickup") || s.contains("pick up") || s.contains("pick-up")) return "pickup";
        if (s.contains("express") || s.contains("overnight") || s.contains("next day"))
            return "express";
        return "standard";
    }

    /**
     * True when {@code signature} is the base64 HMAC-SHA256 of {@code body} under {@code secret}
     * (constant time).
     */
    public static boolean signedBy(String secret, byte[] body, String signature) {
        if (signature == null) return false;
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(
                    new javax.crypto.spec.SecretKeySpec(
                            secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal(body);
            byte[] given = java.util.Base64.getDecoder().decode(signature.trim());
            return java.security.MessageDigest.isEqual(expected, given);
        } catch (IllegalArgumentException notBase64) {
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
