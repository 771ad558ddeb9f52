package io.github.pgisolated.cli;

import java.sql.Connection;

/**
 * A runner that initializes a template, connects to it to migrate it, says so, and hangs until
 * it is killed: the client that dies mid-init. Run as a child process by the tests.
 */
public final class DyingIntegreSqlClient {
  private DyingIntegreSqlClient() {}

  public static void main(String[] args) throws Exception {
    IntegreSqlClient.Response init = new IntegreSqlClient(args[0]).initialize(args[1]);
    if (init.status() != 200) {
      System.out.println("unexpected " + init);
      return;
    }
    try (Connection c = init.connect()) {
      c.createStatement().execute("create table half (x int)");
      System.out.println("migrating " + init.string("database"));
      System.out.flush();
      Thread.sleep(600_000);
    }
  }
}
