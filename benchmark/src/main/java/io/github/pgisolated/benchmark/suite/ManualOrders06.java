package io.github.pgisolated.benchmark.suite;

class ManualOrders06 extends ManualOrders {}
