package io.github.pgisolated.benchmark.suite;

class IsolatedOrders08 extends IsolatedOrders {}
