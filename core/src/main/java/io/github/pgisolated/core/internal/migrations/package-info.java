/**
 * Flyway and Liquibase migrations for templates. Not API: do not use these classes, they may
 * change in any release.
 *
 * <p>Both tools are optional dependencies: {@link io.github.pgisolated.core.internal.migrations.FlywayMigrator}
 * and {@link io.github.pgisolated.core.internal.migrations.LiquibaseMigrator} are the only classes
 * that import them, and they are loaded only after
 * {@link io.github.pgisolated.core.internal.migrations.MigrationTool#requireOn} found the tool.
 * Everything else here (hashing, listing the classpath) works without either.
 */
package io.github.pgisolated.core.internal.migrations;
