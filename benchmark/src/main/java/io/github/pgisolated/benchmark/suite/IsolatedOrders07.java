package io.github.pgisolated.benchmark.suite;

class IsolatedOrders07 extends IsolatedOrders {}
