package io.github.pgisolated.benchmark;

import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart as a self-contained SVG document, written by hand (no library): one group
 * of bars per category (a strategy), one bar per series (1 fork, 3 forks), the value above each
 * bar, a y axis with round ticks and a legend.
 */
final class SvgChart {
  static final String[] COLORS = {"#4c78a8", "#f58518", "#54a24b", "#e45756"};
  private static final int WIDTH = 820;
  private static final int HEIGHT = 460;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 80;
  private static final int BOTTOM = 70;

  private SvgChart() {}

  /**
   * @param values {@code values[category][series]}, non-negative
   * @param unit the values' unit, shown on the axis and after each value
   */
  static String render(String title, String subtitle, List<String> categories, List<String> series,
      double[][] values, String unit) {
    if (values.length != categories.size()) {
      throw new IllegalArgumentException(values.length + " rows of values for " + categories.size() + " categories");
    }
    double max = 0;
    for (double[] row : values) {
      if (row.length != series.size()) {
        throw new IllegalArgumentException(row.length + " values for " + series.size() + " series");
      }
      for (double v : row) {
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException("not a non-negative value: " + v);
        }
        max = Math.max(max, v);
      }
    }
    double step = niceStep(max / 5);
    double top = Math.max(step, Math.ceil(max / step) * step);
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    double groupWidth = (double) plotWidth / categories.size();
    double barWidth = groupWidth * 0.7 / series.size();

    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "  <rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">%s</text>%n",
        LEFT, escape(title)));
    svg.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"50\" fill=\"#555555\">%s</text>%n", LEFT,
        escape(subtitle)));
    // Grid lines and y ticks.
    for (double tick = 0; tick <= top + step / 1000; tick += step) {
      double y = TOP + plotHeight - tick / top * plotHeight;
      svg.append(String.format(Locale.ROOT, "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n",
          LEFT, y, WIDTH - RIGHT, y));
      svg.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555555\">%s</text>%n",
          LEFT - 8, y + 4, format(tick)));
    }
    svg.append(String.format(Locale.ROOT, "  <text x=\"16\" y=\"%d\" fill=\"#555555\" transform=\"rotate(-90 16 %d)\" "
        + "text-anchor=\"middle\">%s</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2, escape(unit)));
    // Bars, values and category labels.
    for (int c = 0; c < categories.size(); c++) {
      double groupX = LEFT + c * groupWidth + groupWidth * 0.15;
      for (int s = 0; s < series.size(); s++) {
        double v = values[c][s];
        double h = v / top * plotHeight;
        double x = groupX + s * barWidth;
        double y = TOP + plotHeight - h;
        svg.append(String.format(Locale.ROOT, "  <rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
            + "<title>%s, %s: %s %s</title></rect>%n", x + 2, y, barWidth - 4, h, COLORS[s % COLORS.length],
            escape(categories.get(c)), escape(series.get(s)), format(v), escape(unit)));
        svg.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
            x + barWidth / 2, y - 6, format(v)));
      }
      svg.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          LEFT + (c + 0.5) * groupWidth, TOP + plotHeight + 22, escape(categories.get(c))));
    }
    svg.append(String.format(Locale.ROOT, "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>%n",
        LEFT, TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));
    // Legend.
    for (int s = 0; s < series.size(); s++) {
      int x = LEFT + s * 150;
      int y = HEIGHT - 24;
      svg.append(String.format(Locale.ROOT, "  <rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n", x,
          y - 11, COLORS[s % COLORS.length]));
      svg.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%d\">%s</text>%n", x + 20, y, escape(series.get(s))));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** A round step (1, 2 or 5 times a power of ten) at least {@code rough}. */
  static double niceStep(double rough) {
    if (!(rough > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * magnitude >= rough * (1 - 1e-9)) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
