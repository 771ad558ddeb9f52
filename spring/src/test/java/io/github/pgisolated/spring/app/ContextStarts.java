package io.github.pgisolated.spring.app;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Counts the application contexts started in this JVM: one per context Spring had to build. */
@Component
public class ContextStarts {
  public static final AtomicInteger COUNT = new AtomicInteger();

  public ContextStarts() {
    COUNT.incrementAndGet();
  }
}
