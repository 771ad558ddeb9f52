package io.github.pgisolated.benchmark.suite;

class IsolatedOrders03 extends IsolatedOrders {}
