package io.github.pgisolated.benchmark.suite;

class IsolatedOrders10 extends IsolatedOrders {}
