package io.github.pgisolated.benchmark.suite;

class ManualOrders09 extends ManualOrders {}
