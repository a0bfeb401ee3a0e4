package dev.whyflow.capture;

import java.util.Objects;

/** What CaptureJob knows of a product from the catalog-bearing events. A Flink POJO. */
public class ProductInfo {

    public String category;
    public Long priceMinor;
    public Integer stockLevel;

    public ProductInfo() {}

    ProductInfo copy() {
        ProductInfo c = new ProductInfo();
        c.category = category;
        c.priceMinor = priceMinor;
        c.stockLevel = stockLevel;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProductInfo p
                && Objects.equals(category, p.category)
                && Objects.equals(priceMinor, p.priceMinor)
                && Objects.equals(stockLevel, p.stockLevel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(category, priceMinor, stockLevel);
    }
}
