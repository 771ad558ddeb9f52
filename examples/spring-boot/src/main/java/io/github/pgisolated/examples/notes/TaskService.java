package io.github.pgisolated.examples.notes;

import java.util.NoSuchElementException;
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

  @Transactional
  public Task add(long projectId, String title) {
    Project project = projects.findById(projectId)
        .orElseThrow(() -> new NoSuchElementException("No project " + projectId));
    return tasks.save(new Task(project, title));
  }

  @Transactional
  public Task complete(long taskId) {
    Task task = tasks.findById(taskId).orElseThrow(() -> new NoSuchElementException("No task " + taskId));
    task.complete();
    return task;
  }

  /** Moves every open task of one project to a new one, all or nothing. */
  @Transactional
  public Project split(String from, String newProject) {
    Project target = projects.save(new Project(newProject));
    for (Task task : tasks.openTasksOf(from)) {
      tasks.save(new Task(target, task.getTitle()));
      tasks.delete(task);
    }
    return target;
  }
}
