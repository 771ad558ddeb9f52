/**
 * Resets in place: putting a clone a test gave back into its template's state in the same
 * database, when the test changed only rows and sequences, from what PostgreSQL's own statistics
 * say changed and the template's rows kept in the JVM; and the proof of it, the template's
 * fingerprint and verification mode. Not API: do not use these classes, they may change in any
 * release.
 */
package io.github.pgisolated.core.internal.reset;
