package io.github.pgisolated.spring.app;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;

/** Ids from a sequence, 50 at a time (Hibernate's pooled optimizer, the default for sequences). */
@Entity
public class Counter {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "counter")
  @SequenceGenerator(name = "counter", sequenceName = "counter_seq", allocationSize = 50)
  private Long id;

  private String label;

  protected Counter() {}

  public Counter(String label) {
    this.label = label;
  }

  public Long getId() {
    return id;
  }
}
