package io.github.pgisolated.core.internal.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads raw configuration strings by {@link ConfigKey} and turns them into typed values, failing
 * with a message that names the key, the value and what is allowed.
 */
public final class ConfigValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final Function<String, Optional<String>> lookup;

  public ConfigValues(Function<String, Optional<String>> lookup) {
    this.lookup = lookup;
  }

  /** The raw value, blank treated as unset. */
  public Optional<String> raw(ConfigKey key) {
    return lookup.apply(key.key()).map(String::trim).filter(v -> !v.isEmpty());
  }

  public String string(ConfigKey key, String fallback) {
    return raw(key).orElse(fallback);
  }

  public int integer(ConfigKey key, int fallback, int min, int max) {
    Optional<String> value = raw(key);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.get());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, value.get(), "a whole number from " + min + " to " + max);
  }

  public Duration duration(ConfigKey key, Duration fallback, boolean zeroAllowed) {
    Optional<String> value = raw(key);
    if (value.isEmpty()) {
      return fallback;
    }
    String v = value.get().toLowerCase(Locale.ROOT);
    Duration parsed = null;
    if (v.equals("0")) {
      parsed = Duration.ZERO;
    } else {
      Matcher m = DURATION.matcher(v);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        parsed = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      } else {
        try {
          parsed = Duration.parse(value.get().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
          // reported below
        }
      }
    }
    if (parsed == null || parsed.isNegative() || (!zeroAllowed && parsed.isZero())) {
      throw invalid(key, value.get(), "a duration such as 500ms, 30s, 10m, 1h or 7d"
          + (zeroAllowed ? " (0 to disable)" : ", greater than zero"));
    }
    return parsed;
  }

  public <E extends Enum<E>> E choice(ConfigKey key, Class<E> type, E fallback) {
    Optional<String> value = raw(key);
    if (value.isEmpty()) {
      return fallback;
    }
    String normalised = value.get().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(normalised)) {
        return constant;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
    }
    throw invalid(key, value.get(), "one of " + allowed);
  }

  public Optional<Path> path(ConfigKey key, String autoValue) {
    Optional<String> value = raw(key).filter(v -> !v.equalsIgnoreCase(autoValue));
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(value.get()).toAbsolutePath());
    } catch (InvalidPathException e) {
      throw invalid(key, value.get(), "a file system path");
    }
  }

  /** Parses {@code a=1,b=2} into an ordered map. */
  public Map<String, String> settings(ConfigKey key) {
    Map<String, String> settings = new LinkedHashMap<>();
    Optional<String> value = raw(key);
    if (value.isEmpty()) {
      return settings;
    }
    for (String pair : value.get().split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || !pair.substring(0, eq).trim().matches("[a-z_][a-z0-9_.]*")) {
        throw invalid(key, value.get(), "comma separated PostgreSQL settings such as shared_buffers=256MB,work_mem=16MB");
      }
      settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return settings;
  }

  public static InvalidValueException invalid(ConfigKey key, String value, String allowed) {
    return new InvalidValueException("Invalid value '" + value + "' for " + key.key()
        + " (set in junit-platform.properties, as -D" + key.key() + " or as " + key.environmentVariable()
        + "): expected " + allowed + ". The default is " + key.documentedDefault() + ".");
  }
}
