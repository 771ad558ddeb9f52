package io.github.pgisolated.benchmark.suite;

class IsolatedOrders05 extends IsolatedOrders {}
