package db.flyway.library;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A Java-based Flyway migration, found by Flyway in the {@code db/flyway/library} location like
 * the SQL ones; its class file is part of the template's hash.
 */
public class V3__Add_isbn extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    try (Statement s = context.getConnection().createStatement()) {
      s.execute("alter table book add column isbn text");
      s.execute("update book set isbn = '978-0-552-13890-6' where title = 'Small Gods'");
    }
  }
}
