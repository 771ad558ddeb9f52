package io.github.pgisolated.benchmark.suite;

class IsolatedLarge07 extends IsolatedLarge {}
