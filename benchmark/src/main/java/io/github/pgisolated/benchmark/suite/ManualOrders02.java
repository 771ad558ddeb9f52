package io.github.pgisolated.benchmark.suite;

class ManualOrders02 extends ManualOrders {}
