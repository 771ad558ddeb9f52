package io.github.pgisolated.examples.shop;

/** Where an order is in its life; stored as text and guarded by a check constraint. */
public enum OrderStatus {
  PLACED,
  SHIPPED,
  CANCELLED
}
