/**
 * Templates: their hash, their build (once across every JVM on a server), their use by running
 * JVMs and the collection of old ones. Not API: do not use these classes, they may change in any
 * release.
 */
package io.github.pgisolated.core.internal.template;
