package io.github.pgisolated.benchmark.suite;

class ManualOrders08 extends ManualOrders {}
