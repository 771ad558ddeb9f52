package io.github.pgisolated.spring.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * JPA second-level caches: shared by every test of a context, while each test has a database of
 * its own. Evicted after every test, so that no test finds an entity cached from another's
 * database. Tests running in parallel on one context still share the cache while they run: that
 * can't be made safe, and is warned about once per context.
 */
final class JpaCaches {
  private static final Logger LOG = LoggerFactory.getLogger(JpaCaches.class);
  private static final boolean JPA = ClassUtils.isPresent("jakarta.persistence.EntityManagerFactory",
      JpaCaches.class.getClassLoader());
  private static final Set<ApplicationContext> WARNED = ConcurrentHashMap.newKeySet();

  private JpaCaches() {}

  static void evictAll(ApplicationContext context) {
    if (JPA) {
      Jpa.evictAll(context);
    }
  }

  static void warnIfSharedByParallelTests(ApplicationContext context, int running) {
    if (JPA && running > 1 && Jpa.secondLevelCacheOn(context) && WARNED.add(context)) {
      LOG.warn("{} tests run in parallel on application context {}, whose JPA second-level cache is on: they share it, "
          + "so one test may read an entity another cached from its own database. Turn the cache off in tests "
          + "(spring.jpa.properties.hibernate.cache.use_second_level_cache=false and "
          + "spring.jpa.properties.hibernate.cache.use_query_cache=false), or run these tests one at a time.",
          running, context.getDisplayName());
    }
  }

  /** Loaded only with JPA on the classpath. */
  private static final class Jpa {
    static void evictAll(ApplicationContext context) {
      context.getBeanProvider(jakarta.persistence.EntityManagerFactory.class).orderedStream()
          .filter(jakarta.persistence.EntityManagerFactory::isOpen)
          .forEach(factory -> factory.getCache().evictAll());
    }

    static boolean secondLevelCacheOn(ApplicationContext context) {
      return context.getBeanProvider(jakarta.persistence.EntityManagerFactory.class).orderedStream().anyMatch(factory -> {
        Map<String, Object> properties = factory.getProperties();
        return "true".equalsIgnoreCase(String.valueOf(properties.get("hibernate.cache.use_second_level_cache")))
            || "true".equalsIgnoreCase(String.valueOf(properties.get("hibernate.cache.use_query_cache")));
      });
    }
  }
}
