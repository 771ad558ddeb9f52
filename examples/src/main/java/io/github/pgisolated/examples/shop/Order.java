package io.github.pgisolated.examples.shop;

import java.util.List;

/**
 * A row of {@code orders} with its lines.
 *
 * @param id the order number, from {@code order_number_seq} (starts at 1000)
 * @param customerId who placed it
 * @param status where it is in its life
 * @param lines its lines, in the order they were placed
 */
public record Order(long id, long customerId, OrderStatus status, List<OrderLine> lines) {

  public Order {
    lines = List.copyOf(lines);
  }

  /** The sum of the lines' totals. */
  public long totalCents() {
    return lines.stream().mapToLong(OrderLine::totalCents).sum();
  }
}
