package io.github.pgisolated.benchmark.suite;

class IsolatedOrders01 extends IsolatedOrders {}
