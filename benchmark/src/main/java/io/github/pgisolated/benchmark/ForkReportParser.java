package io.github.pgisolated.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what pgisolated's run report says of a fork's databases, from the fork's log: the lines
 * {@code reset in place: 238 (…), 2 needed nothing} and {@code to recreate: 61 (ANALYZE 1, schema changed 60)}.
 */
final class ForkReportParser {
  private static final Pattern RESETS = Pattern.compile("reset in place: (\\d+) \\(.*?\\), (\\d+) needed nothing");
  private static final Pattern RECREATE = Pattern.compile("to recreate: \\d+ \\((.*)\\)");
  private static final Pattern REASON = Pattern.compile("(.+) (\\d+)");

  private ForkReportParser() {}

  static Results.ForkReports read(List<Path> logs) throws IOException {
    Results.ForkReports total = Results.ForkReports.none();
    for (Path log : logs) {
      total = total.plus(parse(Files.readString(log)));
    }
    return total;
  }

  static Results.ForkReports parse(String log) {
    long resets = 0;
    long unchanged = 0;
    Map<String, Integer> reasons = new TreeMap<>();
    Matcher m = RESETS.matcher(log);
    while (m.find()) {
      resets += Long.parseLong(m.group(1));
      unchanged += Long.parseLong(m.group(2));
    }
    Matcher r = RECREATE.matcher(log);
    while (r.find()) {
      for (String part : r.group(1).split(", ")) {
        Matcher reason = REASON.matcher(part.trim());
        if (reason.matches()) {
          reasons.merge(reason.group(1), Integer.parseInt(reason.group(2)), Integer::sum);
        }
      }
    }
    return new Results.ForkReports(resets, unchanged, reasons);
  }
}
