package dev.whyflow.contract;

import java.util.Objects;

/** One line of an order: a product, how many, at which unit price (minor units, order currency). */
public class LineItem {
    public String productId;
    public Integer quantity;
    public Long unitPriceMinor;

    public LineItem() {}

    public LineItem(String productId, Integer quantity, Long unitPriceMinor) {
        this.productId = productId;
        this.quantity = quantity;
        this.unitPriceMinor = unitPriceMinor;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof LineItem l)) return false;
        return Objects.equals(productId, l.productId)
                && Objects.equals(quantity, l.quantity)
                && Objects.equals(unitPriceMinor, l.unitPriceMinor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(productId, quantity, unitPriceMinor);
    }

    @Override
    public String toString() {
        return "LineItem{" + productId + " x" + quantity + " @" + unitPriceMinor + "}";
    }
}
