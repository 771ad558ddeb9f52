package io.github.pgisolated.spring.app;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface NoteRepository extends JpaRepository<Note, Long> {
  Optional<Note> findByText(String text);
}
