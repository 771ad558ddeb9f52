package io.github.pgisolated.benchmark.suite;

class IsolatedLarge10 extends IsolatedLarge {}
