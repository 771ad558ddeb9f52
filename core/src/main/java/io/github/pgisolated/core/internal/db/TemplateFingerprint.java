package io.github.pgisolated.core.internal.db;

/**
 * What a template holds, in two digests written into its ready marker when it is built: its rows
 * and sequences ({@link #content}) and its schema ({@link #catalog}). A JVM that takes a snapshot
 * of a template from one of its clones checks the clone against both before it trusts the
 * snapshot, so a clone someone changed and gave back as unchanged can never become the reference
 * the resets put other clones back to.
 *
 * @param content 32 hex characters: every table's and materialized view's rows (as a multiset) and
 *     every sequence's state
 * @param catalog 16 hex characters: see the reset package's {@code CatalogFingerprint}
 */
public record TemplateFingerprint(String content, String catalog) {}
