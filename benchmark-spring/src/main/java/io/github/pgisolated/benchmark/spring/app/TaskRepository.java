package io.github.pgisolated.benchmark.spring.app;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface TaskRepository extends JpaRepository<Task, Long> {
  List<Task> findByProjectIdOrderById(Long projectId);

  long countByProjectIdAndDoneFalse(Long projectId);
}
