package io.github.pgisolated.benchmark.suite;

class IsolatedOrders06 extends IsolatedOrders {}
