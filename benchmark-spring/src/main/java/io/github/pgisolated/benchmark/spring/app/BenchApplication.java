package io.github.pgisolated.benchmark.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application of the benchmark's suite: projects and tasks, JPA, Flyway. */
@SpringBootApplication
public class BenchApplication {}
