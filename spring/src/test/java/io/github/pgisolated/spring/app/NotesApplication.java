package io.github.pgisolated.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application the Spring tests run against: JPA entities, a repository, Flyway migrations. */
@SpringBootApplication
public class NotesApplication {}
