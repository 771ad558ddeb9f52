package io.github.pgisolated.benchmark.suite;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that hands out one connection again and again, ignoring {@code close()}
 * (as Spring's SingleConnectionDataSource and its test transactions do): the by-hand strategies'
 * way of giving a test its database. The owner closes the real connection.
 */
public final class SingleConnectionDataSource implements DataSource {
  private final Connection proxy;

  public SingleConnectionDataSource(Connection target) {
    this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (self, method, args) -> {
          switch (method.getName()) {
            case "close":
              return null;
            case "isClosed":
              return false;
            case "unwrap":
              return ((Class<?>) args[0]).isInstance(target) ? target : method.invoke(target, args);
            default:
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
  }

  @Override
  public Connection getConnection() {
    return proxy;
  }

  @Override
  public Connection getConnection(String username, String password) {
    return proxy;
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("Not a wrapper of " + type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
