/**
 * The election of one coordinator among the JVMs that share a server, and the Unix-socket
 * protocol the others lease through ({@code docs/protocol.md}). Not API: do not use these
 * classes, they may change in any release. Knows nothing of pools or PostgreSQL: it serves a
 * {@link io.github.pgisolated.core.internal.coordinator.LeaseService}.
 */
package io.github.pgisolated.core.internal.coordinator;
