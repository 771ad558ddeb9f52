package io.github.pgisolated.benchmark.suite;

class ManualOrders04 extends ManualOrders {}
