package io.github.pgisolated.benchmark.suite;

class IsolatedOrders02 extends IsolatedOrders {}
