/**
 * The run report: what the pool did for a JVM's tests, logged when they end. Not API: do not
 * use these classes, they may change in any release.
 */
package io.github.pgisolated.core.internal.report;
