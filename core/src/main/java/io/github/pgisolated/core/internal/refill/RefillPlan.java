package io.github.pgisolated.core.internal.refill;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a refill after a run is to do: the configuration to reach the server with (the
 * {@code pgisolated.*} keys that say which server and coordinator) and, per template, how many
 * clones the run needed at its peak, most recently used first. Written by the last coordinator of
 * the run to a file only its user can read (it may hold the external server's password), read and
 * deleted by the refill process.
 */
record RefillPlan(Map<String, String> config, Map<String, Integer> targets) {
  private static final String TARGET = "refill.target.";

  void write(Path file) throws IOException {
    Properties p = new Properties();
    p.putAll(config);
    int index = 0;
    for (Map.Entry<String, Integer> target : targets.entrySet()) {
      // Numbered: the order (most recently used first) decides what fits a tight budget.
      p.setProperty(TARGET + String.format("%04d", index++), target.getKey() + ":" + target.getValue());
    }
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer out = Files.newBufferedWriter(file)) {
      p.store(out, "pgisolated refill plan");
    }
  }

  static RefillPlan read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    Map<String, String> config = new LinkedHashMap<>();
    Map<String, Integer> targets = new LinkedHashMap<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      if (key.startsWith(TARGET)) {
        String[] target = p.getProperty(key).split(":");
        targets.put(target[0], Integer.parseInt(target[1]));
      } else {
        config.put(key, p.getProperty(key));
      }
    }
    return new RefillPlan(config, targets);
  }
}
