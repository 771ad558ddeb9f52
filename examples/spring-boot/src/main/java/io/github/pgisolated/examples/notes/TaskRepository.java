package io.github.pgisolated.examples.notes;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface TaskRepository extends JpaRepository<Task, Long> {
  List<Task> findByProjectIdOrderById(Long projectId);

  long countByDoneFalse();

  @Query("select t from Task t where t.project.name = ?1 and t.done = false order by t.id")
  List<Task> openTasksOf(String projectName);
}
