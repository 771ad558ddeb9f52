package io.github.pgisolated.benchmark.suite;

class IsolatedLarge02 extends IsolatedLarge {}
