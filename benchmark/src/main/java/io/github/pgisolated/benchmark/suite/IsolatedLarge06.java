package io.github.pgisolated.benchmark.suite;

class IsolatedLarge06 extends IsolatedLarge {}
