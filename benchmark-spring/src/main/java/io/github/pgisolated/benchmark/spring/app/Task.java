package io.github.pgisolated.benchmark.spring.app;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;

@Entity
public class Task {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "project_id")
  private Project project;

  private String title;

  private boolean done;

  protected Task() {}

  public Task(Project project, String title) {
    this.project = project;
    this.title = title;
  }

  public Long getId() {
    return id;
  }

  public boolean isDone() {
    return done;
  }

  public void complete() {
    done = true;
  }
}
