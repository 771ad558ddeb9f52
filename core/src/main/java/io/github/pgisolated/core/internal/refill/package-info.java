/**
 * The refill after a run: a short background process, started by the last coordinator of a run
 * when its pools are short of what the run needed, that fills them once the machine is idle,
 * within the disk budget, so that the next run starts with its clones ready. Not API: do not use
 * these classes, they may change in any release.
 */
package io.github.pgisolated.core.internal.refill;
