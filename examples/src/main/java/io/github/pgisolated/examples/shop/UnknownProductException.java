package io.github.pgisolated.examples.shop;

/** No product has this SKU. */
public class UnknownProductException extends ShopException {
  private static final long serialVersionUID = 1L;

  public UnknownProductException(String sku) {
    super("No product with SKU " + sku);
  }
}
