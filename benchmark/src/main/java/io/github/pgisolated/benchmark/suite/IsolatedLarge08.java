package io.github.pgisolated.benchmark.suite;

class IsolatedLarge08 extends IsolatedLarge {}
