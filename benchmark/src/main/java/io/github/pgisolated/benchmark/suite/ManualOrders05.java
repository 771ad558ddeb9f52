package io.github.pgisolated.benchmark.suite;

class ManualOrders05 extends ManualOrders {}
