package io.github.pgisolated.benchmark.suite;

class IsolatedLarge09 extends IsolatedLarge {}
