package dev.whyflow.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * The union of every event type's payload fields, all nullable. {@link EventJson} writes only the
 * non-null ones, under their snake_case wire names; which fields a type requires and allows is in
 * its JSON Schema ({@code whyflow/schemas/events/<event_type>.v1.json}). Money is always an {@code
 * *Minor} amount in the minor units of {@link #currency}.
 *
 * <p>A flat class of public fields with a no-arg constructor; {@link EventSerializer} writes only
 * the fields that are set. A new field must be added there too (a test fails until it is).
 */
public class Payload {
    public String orderId;
    public String productId;
    public String productName;
    public String category;
    public String landingPage;
    public Integer visitNumber;
    public String pageType;
    public String query;
    public Integer resultsCount;
    public Long dwellMs;
    public Integer scrollDepthPct;
    public Integer heartbeatSeq;
    public String step;
    public String shippingMethod;
    public String stockStatus;
    public Integer quantity;
    public Long priceMinor;
    public Long previousPriceMinor;
    public Integer cartItems;
    public Long cartValueMinor;
    public Integer itemCount;
    public LineItem[] items;
    public Long amountMinor;
    public Long shippingMinor;
    public String discountCode;
    public Long discountMinor;
    public String currency;
    public String method;
    public String paymentMethod;
    public Integer attempt;
    public String failureCode;
    public String reason;
    public String platform;
    public String appVersion;
    public String previousVersion;
    public String notes;
    public String errorCode;
    public Integer httpStatus;
    public String message;
    public Integer stockLevel;
    public Integer previousLevel;
    public String carrier;
    public String trackingId;
    public String warehouse;

    /**
     * Columns of a source system's row that the contract does not name (an ERP's customizations),
     * as a compact JSON object whose values are the columns' values as that system's capture wrote
     * them; carried as they are, never interpreted.
     */
    public String sourceColumns;

    public Payload() {}

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Payload p)) return false;
        return Objects.equals(orderId, p.orderId)
                && Objects.equals(productId, p.productId)
                && Objects.equals(productName, p.productName)
                && Objects.equals(category, p.category)
                && Objects.equals(landingPage, p.landingPage)
                && Objects.equals(visitNumber, p.visitNumber)
                && Objects.equals(pageType, p.pageType)
                && Objects.equals(query, p.query)
                && Objects.equals(resultsCount, p.resultsCount)
                && Objects.equals(dwellMs, p.dwellMs)
                && Objects.equals(scrollDepthPct, p.scrollDepthPct)
                && Objects.equals(heartbeatSeq, p.heartbeatSeq)
                && Objects.equals(step, p.step)
                && Objects.equals(shippingMethod, p.shippingMethod)
                && Objects.equals(stockStatus, p.stockStatus)
                && Objects.equals(quantity, p.quantity)
                && Objects.equals(priceMinor, p.priceMinor)
                && Objects.equals(previousPriceMinor, p.previousPriceMinor)
                && Objects.equals(cartItems, p.cartItems)
                && Objects.equals(cartValueMinor, p.cartValueMinor)
                && Objects.equals(itemCount, p.itemCount)
                && Arrays.equals(items, p.items)
                && Objects.equals(amountMinor, p.amountMinor)
                && Objects.equals(shippingMinor, p.shippingMinor)
                && Objects.equals(discountCode, p.discountCode)
                && Objects.equals(discountMinor, p.discountMinor)
                && Objects.equals(currency, p.currency)
                && Objects.equals(method, p.method)
                && Objects.equals(paymentMethod, p.paymentMethod)
                && Objects.equals(attempt, p.attempt)
                && Objects.equals(failureCode, p.failureCode)
                && Objects.equals(reason, p.reason)
                && Objects.equals(platform, p.platform)
                && Objects.equals(appVersion, p.appVersion)
                && Objects.equals(previousVersion, p.previousVersion)
                && Objects.equals(notes, p.notes)
                && Objects.equals(errorCode, p.errorCode)
                && Objects.equals(httpStatus, p.httpStatus)
                && Objects.equals(message, p.message)
                && Objects.equals(stockLevel, p.stockLevel)
                && Objects.equals(previousLevel, p.previousLevel)
                && Objects.equals(carrier, p.carrier)
                && Objects.equals(trackingId, p.trackingId)
                && Objects.equals(warehouse, p.warehouse)
                && Objects.equals(sourceColumns, p.sourceColumns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                orderId,
                productId,
                productName,
                category,
                landingPage,
                visitNumber,
                pageType,
                query,
                resultsCount,
                dwellMs,
                scrollDepthPct,
                heartbeatSeq,
                step,
                shippingMethod,
                stockStatus,
                quantity,
                priceMinor,
                previousPriceMinor,
                cartItems,
                cartValueMinor,
                itemCount,
                Arrays.hashCode(items),
                amountMinor,
                shippingMinor,
                discountCode,
                discountMinor,
                currency,
                method,
                paymentMethod,
                attempt,
                failureCode,
                reason,
                platform,
                appVersion,
                previousVersion,
                notes,
                errorCode,
                httpStatus,
                message,
                stockLevel,
                previousLevel,
                carrier,
                trackingId,
                warehouse,
                sourceColumns);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Payload{");
        if (orderId != null) b.append("order_id=").append(orderId).append(", ");
        if (productId != null) b.append("product_id=").append(productId).append(", ");
        if (productName != null) b.append("product_name=").append(productName).append(", ");
        if (category != null) b.append("category=").append(category).append(", ");
        if (landingPage != null) b.append("landing_page=").append(landingPage).append(", ");
        if (visitNumber != null) b.append("visit_number=").append(visitNumber).append(", ");
        if (pageType != null) b.append("page_type=").append(pageType).append(", ");
        if (query != null) b.append("query=").append(query).append(", ");
        if (resultsCount != null) b.append("results_count=").append(resultsCount).append(", ");
        if (dwellMs != null) b.append("dwell_ms=").append(dwellMs).append(", ");
        if (scrollDepthPct != null)
            b.append("scroll_depth_pct=").append(scrollDepthPct).append(", ");
        if (heartbeatSeq != null) b.append("heartbeat_seq=").append(heartbeatSeq).append(", ");
        if (step != null) b.append("step=").append(step).append(", ");
        if (shippingMethod != null)
            b.append("shipping_method=").append(shippingMethod).append(", ");
        if (stockStatus != null) b.append("stock_status=").append(stockStatus).append(", ");
        if (quantity != null) b.append("quantity=").append(quantity).append(", ");
        if (priceMinor != null) b.append("price_minor=").append(priceMinor).append(", ");
        if (previousPriceMinor != null)
            b.append("previous_price_minor=").append(previousPriceMinor).append(", ");
        if (cartItems != null) b.append("cart_items=").append(cartItems).append(", ");
        if (cartValueMinor != null)
            b.append("cart_value_minor=").append(cartValueMinor).append(", ");
        if (itemCount != null) b.append("item_count=").append(itemCount).append(", ");
        if (items != null) b.append("items=").append(Arrays.toString(items)).append(", ");
        if (amountMinor != null) b.append("amount_minor=").append(amountMinor).append(", ");
        if (shippingMinor != null) b.append("shipping_minor=").append(shippingMinor).append(", ");
        if (discountCode != null) b.append("discount_code=").append(discountCode).append(", ");
        if (discountMinor != null) b.append("discount_minor=").append(discountMinor).append(", ");
        if (currency != null) b.append("currency=").append(currency).append(", ");
        if (method != null) b.append("method=").append(method).append(", ");
        if (paymentMethod != null) b.append("payment_method=").append(paymentMethod).append(", ");
        if (attempt != null) b.append("attempt=").append(attempt).append(", ");
        if (failureCode != null) b.append("failure_code=").append(failureCode).append(", ");
        if (reason != null) b.append("reason=").append(reason).append(", ");
        if (platform != null) b.append("platform=").append(platform).append(", ");
        if (appVersion != null) b.append("app_version=").append(appVersion).append(", ");
        if (previousVersion != null)
            b.append("previous_version=").append(previousVersion).append(", ");
        if (notes != null) b.append("notes=").append(notes).append(", ");
        if (errorCode != null) b.append("error_code=").append(errorCode).append(", ");
        if (httpStatus != null) b.append("http_status=").append(httpStatus).append(", ");
        if (message != null) b.append("message=").append(message).append(", ");
        if (stockLevel != null) b.append("stock_level=").append(stockLevel).append(", ");
        if (previousLevel != null) b.append("previous_level=").append(previousLevel).append(", ");
        if (carrier != null) b.append("carrier=").append(carrier).append(", ");
        if (trackingId != null) b.append("tracking_id=").append(trackingId).append(", ");
        if (warehouse != null) b.append("warehouse=").append(warehouse).append(", ");
        if (sourceColumns != null) b.append("source_columns=").append(sourceColumns).append(", ");
        if (b.charAt(b.length() - 1) == ' ') b.setLength(b.length() - 2);
        return b.append('}').toString();
    }
}
