package io.github.pgisolated.examples.notes;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class TaskController {
  private final TaskService service;
  private final TaskRepository tasks;

  public TaskController(TaskService service, TaskRepository tasks) {
    this.service = service;
    this.tasks = tasks;
  }

  public record TaskView(long id, String title, boolean done) {
    static TaskView of(Task task) {
      return new TaskView(task.getId(), task.getTitle(), task.isDone());
    }
  }

  public record NewTask(String title) {}

  @GetMapping("/projects/{projectId}/tasks")
  public List<TaskView> list(@PathVariable("projectId") long projectId) {
    return tasks.findByProjectIdOrderById(projectId).stream().map(TaskView::of).toList();
  }

  @PostMapping("/projects/{projectId}/tasks")
  @ResponseStatus(HttpStatus.CREATED)
  public TaskView add(@PathVariable("projectId") long projectId, @RequestBody NewTask task) {
    return TaskView.of(service.add(projectId, task.title()));
  }

  @PostMapping("/tasks/{taskId}/complete")
  public TaskView complete(@PathVariable("taskId") long taskId) {
    return TaskView.of(service.complete(taskId));
  }

  @ExceptionHandler(NoSuchElementException.class)
  @ResponseStatus(HttpStatus.NOT_FOUND)
  public Map<String, String> notFound(NoSuchElementException e) {
    return Map.of("error", e.getMessage());
  }
}
