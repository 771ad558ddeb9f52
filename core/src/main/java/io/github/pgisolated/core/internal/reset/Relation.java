package io.github.pgisolated.core.internal.reset;

/**
 * One relation of a template whose contents a reset in place restores or checks.
 *
 * @param oid its OID, the same in the template and in every clone of it (CREATE DATABASE copies
 *     the catalogs as they are)
 * @param name its schema-qualified, quoted name, ready to go into SQL
 * @param kind what it is
 * @param restorable for a table: whether its rows can be put back with triggers off (false when it
 *     has a trigger that fires even then, {@code ENABLE ALWAYS} or {@code ENABLE REPLICA})
 * @param toast the OID of its TOAST table (where long values go), 0 when it has none
 * @param fileNode its file node in the template: TRUNCATE and table rewrites change it
 */
public record Relation(long oid, String name, Kind kind, boolean restorable, long toast, long fileNode) {

  /** What a relation is, as far as a reset in place cares. */
  public enum Kind {
    /** A table (or a partition) with rows of its own: restored with DELETE and COPY. */
    TABLE,
    /** A materialized view: its rows cannot be put back, so a change means recreating the clone. */
    MATERIALIZED_VIEW,
    /** A sequence: put back with setval. */
    SEQUENCE
  }
}
