package io.github.pgisolated.benchmark.suite;

class ManualOrders03 extends ManualOrders {}
