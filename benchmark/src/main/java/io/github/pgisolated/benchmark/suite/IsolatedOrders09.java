package io.github.pgisolated.benchmark.suite;

class IsolatedOrders09 extends IsolatedOrders {}
