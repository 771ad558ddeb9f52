package io.github.pgisolated.benchmark.suite;

class ManualOrders07 extends ManualOrders {}
