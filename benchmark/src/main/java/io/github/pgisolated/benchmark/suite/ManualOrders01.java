package io.github.pgisolated.benchmark.suite;

class ManualOrders01 extends ManualOrders {}
