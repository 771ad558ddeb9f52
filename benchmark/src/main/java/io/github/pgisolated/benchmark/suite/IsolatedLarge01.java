package io.github.pgisolated.benchmark.suite;

class IsolatedLarge01 extends IsolatedLarge {}
