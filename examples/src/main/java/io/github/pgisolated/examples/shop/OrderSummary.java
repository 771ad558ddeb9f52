package io.github.pgisolated.examples.shop;

/**
 * One order as a report shows it: a join of {@code orders}, {@code customer} and
 * {@code order_line}.
 *
 * @param orderId the order number
 * @param customerName who placed it
 * @param status where it is in its life
 * @param itemCount the sum of the lines' quantities
 * @param totalCents the sum of the lines' totals
 */
public record OrderSummary(long orderId, String customerName, OrderStatus status, long itemCount, long totalCents) {}
