package io.github.pgisolated.examples.shop;

import java.util.Objects;

/**
 * One line of an order being placed: which product and how many.
 *
 * @param sku the product's SKU
 * @param quantity how many, at least one
 */
public record LineItem(String sku, int quantity) {

  public LineItem {
    Objects.requireNonNull(sku, "sku");
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be at least 1, was " + quantity);
    }
  }
}
