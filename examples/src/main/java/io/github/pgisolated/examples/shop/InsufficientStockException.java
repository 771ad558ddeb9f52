package io.github.pgisolated.examples.shop;

/** An order asked for more than is in stock ({@code product_stock_check} was violated). */
public class InsufficientStockException extends ShopException {
  private static final long serialVersionUID = 1L;

  private final String sku;

  public InsufficientStockException(String sku, int quantity, Throwable cause) {
    super("Not enough " + sku + " in stock for " + quantity, cause);
    this.sku = sku;
  }

  /** The SKU that ran out. */
  public String sku() {
    return sku;
  }
}
