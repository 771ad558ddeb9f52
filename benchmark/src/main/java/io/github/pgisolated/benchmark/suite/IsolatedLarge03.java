package io.github.pgisolated.benchmark.suite;

class IsolatedLarge03 extends IsolatedLarge {}
