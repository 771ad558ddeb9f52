package io.github.pgisolated.benchmark.suite;

class IsolatedLarge04 extends IsolatedLarge {}
