package io.github.pgisolated.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What goes into a template database: classpath SQL scripts run in order, then Flyway or
 * Liquibase migrations, then an optional {@link TemplateInitializer}. Two definitions with the same inputs share one template and one
 * pool, in this JVM and across the JVMs and runs that share a server.
 *
 * <p>For <em>users</em> of the core API (the JUnit extension builds these from
 * {@code @PgIsolated}):
 *
 * <pre>{@code
 * TemplateDefinition shop = TemplateDefinition.builder()
 *     .scripts("db/schema.sql", "db/seed.sql")
 *     .initializer(ShopSchema.class)
 *     .build();
 * try (PgIsolatedPool pool = PgIsolatedPool.start(PgIsolatedConfig.fromSystem());
 *      DatabaseLease lease = pool.lease(shop)) {
 *   DataSource ds = lease.dataSource();
 * }
 * }</pre>
 *
 * <p>Migrations need the tool on the classpath ({@code org.flywaydb:flyway-core} with
 * {@code org.flywaydb:flyway-database-postgresql}, or {@code org.liquibase:liquibase-core}):
 *
 * <pre>{@code
 * TemplateDefinition.builder().flyway("classpath:db/migration").build();
 * TemplateDefinition.builder().liquibase("db/changelog/db.changelog-master.yaml").build();
 * }</pre>
 *
 * <p>The template is identified by a hash of: each script's name and contents, every file under
 * each Flyway location and under the Liquibase changelog's directory (names and contents), the
 * migration tool's version, the initializer's class name and bytecode, any {@link Builder#hashInput extra hash inputs}, the PostgreSQL major
 * version and pgisolated's own template format version. Anything else the template depends on
 * (a file the initializer reads, a system property) is invisible to the hash: pass it as a hash
 * input so that a change rebuilds the template.
 *
 * @since 0.1.0
 */
public final class TemplateDefinition {

  private final List<String> scripts;
  private final List<String> flywayLocations;
  private final String liquibaseChangelog;
  private final Class<? extends TemplateInitializer> initializer;
  private final List<String> hashInputs;
  private final ClassLoader classLoader;

  private TemplateDefinition(Builder builder) {
    this.scripts = List.copyOf(builder.scripts);
    this.flywayLocations = List.copyOf(builder.flywayLocations);
    this.liquibaseChangelog = builder.liquibaseChangelog;
    this.initializer = builder.initializer;
    this.hashInputs = List.copyOf(builder.hashInputs);
    this.classLoader = builder.classLoader != null ? builder.classLoader : defaultClassLoader();
  }

  private static ClassLoader defaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : TemplateDefinition.class.getClassLoader();
  }

  /** A new builder; with nothing added it describes an empty database. */
  public static Builder builder() {
    return new Builder();
  }

  /** An empty template: every test gets a fresh, empty database. */
  public static TemplateDefinition empty() {
    return builder().build();
  }

  /** Classpath resource names of the SQL scripts, in the order they run. */
  public List<String> scripts() {
    return scripts;
  }

  /**
   * Flyway locations ({@code "classpath:db/migration"}, {@code "filesystem:src/db"}) migrated
   * after the scripts; empty for no Flyway.
   */
  public List<String> flywayLocations() {
    return flywayLocations;
  }

  /**
   * The classpath Liquibase changelog ({@code "db/changelog/db.changelog-master.yaml"}) updated
   * after the scripts and any Flyway migrations, if any.
   */
  public Optional<String> liquibaseChangelog() {
    return Optional.ofNullable(liquibaseChangelog);
  }

  /** The initializer that runs after the scripts and migrations, if any. */
  public Optional<Class<? extends TemplateInitializer>> initializer() {
    return Optional.ofNullable(initializer);
  }

  /** Extra values folded into the template hash. */
  public List<String> hashInputs() {
    return hashInputs;
  }

  /** The class loader scripts, migrations and the initializer's bytecode are read from. */
  public ClassLoader classLoader() {
    return classLoader;
  }

  /** A short description for logs and errors, e.g. {@code scripts=[db/schema.sql], initializer=ShopSchema}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!scripts.isEmpty()) {
      parts.add("scripts=" + scripts);
    }
    if (!flywayLocations.isEmpty()) {
      parts.add("flyway=" + flywayLocations);
    }
    if (liquibaseChangelog != null) {
      parts.add("liquibase=" + liquibaseChangelog);
    }
    if (initializer != null) {
      parts.add("initializer=" + initializer.getName());
    }
    if (!hashInputs.isEmpty()) {
      parts.add("hashInputs=" + hashInputs);
    }
    return parts.isEmpty() ? "empty template" : String.join(", ", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TemplateDefinition other
        && scripts.equals(other.scripts)
        && flywayLocations.equals(other.flywayLocations)
        && Objects.equals(liquibaseChangelog, other.liquibaseChangelog)
        && Objects.equals(initializer, other.initializer)
        && hashInputs.equals(other.hashInputs)
        && classLoader == other.classLoader;
  }

  @Override
  public int hashCode() {
    return Objects.hash(scripts, flywayLocations, liquibaseChangelog, initializer, hashInputs, System.identityHashCode(classLoader));
  }

  @Override
  public String toString() {
    return "TemplateDefinition[" + describe() + "]";
  }

  /** Builds a {@link TemplateDefinition}. Not thread-safe. */
  public static final class Builder {
    private final List<String> scripts = new ArrayList<>();
    private final List<String> flywayLocations = new ArrayList<>();
    private String liquibaseChangelog;
    private Class<? extends TemplateInitializer> initializer;
    private final List<String> hashInputs = new ArrayList<>();
    private ClassLoader classLoader;

    private Builder() {}

    /** Adds classpath SQL resources (e.g. {@code "db/schema.sql"}), run in the order given. */
    public Builder scripts(String... resources) {
      for (String resource : resources) {
        Objects.requireNonNull(resource, "script");
        String trimmed = resource.startsWith("/") ? resource.substring(1) : resource;
        if (trimmed.isBlank()) {
          throw new InvalidConfigurationException("A template script name is blank; name a classpath resource such as \"db/schema.sql\".");
        }
        scripts.add(trimmed);
      }
      return this;
    }

    /**
     * Adds Flyway locations migrated after the scripts: {@code "classpath:db/migration"} (a
     * location without prefix is on the classpath too) or {@code "filesystem:src/main/db"}. Needs
     * {@code org.flywaydb:flyway-core} and {@code org.flywaydb:flyway-database-postgresql} on the
     * classpath. Every file under the locations is part of the template's hash.
     */
    public Builder flyway(String... locations) {
      if (locations.length == 0) {
        throw new InvalidConfigurationException("flyway() needs at least one location, such as \"classpath:db/migration\".");
      }
      for (String location : locations) {
        Objects.requireNonNull(location, "location");
        if (location.isBlank()) {
          throw new InvalidConfigurationException("A Flyway location is blank; name one such as \"classpath:db/migration\".");
        }
        flywayLocations.add(location.strip());
      }
      return this;
    }

    /**
     * Sets the classpath Liquibase changelog updated after the scripts (and after Flyway, if both
     * are set), e.g. {@code "db/changelog/db.changelog-master.yaml"}; {@code null} for none. Needs
     * {@code org.liquibase:liquibase-core} on the classpath. The changelog and every file in its
     * directory and below are part of the template's hash.
     */
    public Builder liquibase(String changelog) {
      if (changelog != null && changelog.isBlank()) {
        throw new InvalidConfigurationException("The Liquibase changelog is blank; name a classpath resource such as "
            + "\"db/changelog/db.changelog-master.yaml\".");
      }
      this.liquibaseChangelog = changelog == null ? null : changelog.strip();
      return this;
    }

    /** Sets the initializer that runs after the scripts and migrations; {@code null} for none. */
    public Builder initializer(Class<? extends TemplateInitializer> initializer) {
      this.initializer = initializer;
      return this;
    }

    /** Folds extra values into the template hash, for inputs pgisolated cannot see. */
    public Builder hashInput(String... values) {
      hashInputs.addAll(Arrays.asList(values));
      return this;
    }

    /** The class loader to read scripts and bytecode from (default: the thread's context loader). */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = classLoader;
      return this;
    }

    public TemplateDefinition build() {
      return new TemplateDefinition(this);
    }
  }
}
