package io.github.pgisolated.benchmark.suite;

class IsolatedOrders04 extends IsolatedOrders {}
