package io.github.pgisolated.benchmark.suite;

class ManualOrders10 extends ManualOrders {}
