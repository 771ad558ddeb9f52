/**
 * Running out of disk: telling a full disk from other failures ({@link
 * io.github.pgisolated.core.internal.space.OutOfSpace}), and saying where, how much is left and
 * what to change ({@link io.github.pgisolated.core.internal.space.SpaceAdvice}).
 */
package io.github.pgisolated.core.internal.space;
