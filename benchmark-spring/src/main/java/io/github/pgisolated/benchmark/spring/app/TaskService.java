package io.github.pgisolated.benchmark.spring.app;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class TaskService {
  private final ProjectRepository projects;
  private final TaskRepository tasks;

  public TaskService(ProjectRepository projects, TaskRepository tasks) {
    this.projects = projects;
    this.tasks = tasks;
  }

  /** A project with {@code count} tasks, in one transaction. */
  @Transactional
  public Project create(String name, int count) {
    Project project = projects.save(new Project(name));
    for (int i = 1; i <= count; i++) {
      tasks.save(new Task(project, name + " task " + i));
    }
    return project;
  }

  @Transactional
  public void completeFirst(long projectId) {
    tasks.findByProjectIdOrderById(projectId).get(0).complete();
  }
}
