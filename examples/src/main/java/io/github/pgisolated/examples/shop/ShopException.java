package io.github.pgisolated.examples.shop;

import java.sql.SQLException;

/** A data-access failure; the {@link SQLException} behind it, if any, is the cause. */
public class ShopException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ShopException(String message, Throwable cause) {
    super(message, cause);
  }

  public ShopException(String message) {
    super(message);
  }
}
