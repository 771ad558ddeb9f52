package io.github.pgisolated.benchmark.suite;

class IsolatedLarge05 extends IsolatedLarge {}
