/**
 * The embedded PostgreSQL launcher: binaries from the zonky jars, one cluster per major version
 * and data directory, started detached so that later JVMs reuse it warm.
 *
 * <p><b>Internal, not API.</b> These classes may change in any release. Users configure them
 * through the {@code pgisolated.embedded.*} keys; the pool engine calls {@link
 * io.github.pgisolated.core.internal.embedded.EmbeddedPostgres#start(EmbeddedSettings)}.
 */
package io.github.pgisolated.core.internal.embedded;
