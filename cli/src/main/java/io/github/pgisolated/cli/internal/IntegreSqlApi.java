package io.github.pgisolated.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.pgisolated.cli.internal.HttpLeases.GiveBack;
import io.github.pgisolated.cli.internal.HttpLeases.Key;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.engine.ClientLease;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IntegreSQL's REST API v1 (v1.1.0's routes, JSON shapes and status codes) on the JDK's HTTP
 * server, over {@link HttpTemplates} and {@link HttpLeases}.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>POST /api/v1/templates</td><td>200 + template, 400, 423, 503</td></tr>
 *   <tr><td>PUT /api/v1/templates/:hash</td><td>204, 404</td></tr>
 *   <tr><td>DELETE /api/v1/templates/:hash</td><td>204, 404</td></tr>
 *   <tr><td>GET /api/v1/templates/:hash/tests</td><td>200 + test database, 404, 410, 503</td></tr>
 *   <tr><td>POST …/tests/:id/unlock, DELETE …/tests/:id</td><td>204, 400, 404, 410</td></tr>
 *   <tr><td>POST …/tests/:id/recreate</td><td>204, 400, 404, 410</td></tr>
 *   <tr><td>DELETE /api/v1/admin/templates</td><td>204</td></tr>
 * </table>
 *
 * <p>Errors are {@code {"message": "..."}}, as Echo writes them; trailing slashes are ignored, as
 * IntegreSQL's pre-middleware strips them. Each request runs on a thread of its own: GET blocks
 * (for a finalize, then for a clone) for up to a minute by default.
 */
final class IntegreSqlApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IntegreSqlApi.class);
  private static final Pattern TEMPLATE = Pattern.compile("/api/v1/templates/([^/]+)");
  private static final Pattern TESTS = Pattern.compile("/api/v1/templates/([^/]+)/tests");
  private static final Pattern TEST = Pattern.compile("/api/v1/templates/([^/]+)/tests/([^/]+)(/unlock|/recreate)?");
  private static final int MAX_BODY = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService threads;
  private final HttpTemplates templates;
  private final HttpLeases leases;
  private final ServerEndpoint postgres;
  private final Duration finalizeTimeout;
  private final Duration getTimeout;
  private volatile boolean closing;

  private IntegreSqlApi(HttpServer server, HttpTemplates templates, HttpLeases leases, ServerEndpoint postgres,
      Duration finalizeTimeout, Duration getTimeout) {
    this.server = server;
    this.templates = templates;
    this.leases = leases;
    this.postgres = postgres;
    this.finalizeTimeout = finalizeTimeout;
    this.getTimeout = getTimeout;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "pgisolated-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
  }

  /** Binds and starts serving; port 0 picks a free one. */
  static IntegreSqlApi start(String address, int port, HttpTemplates templates, HttpLeases leases,
      ServerEndpoint postgres, Duration finalizeTimeout, Duration getTimeout) throws IOException {
    // The JDK's server writes a response's headers and body separately: without TCP_NODELAY, Nagle's
    // algorithm holds the body back until the client's delayed ACK, 40 ms on Linux (measured: GET
    // p50 42.7 ms with it, see the README). Read once, when the server class initializes.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 128);
    IntegreSqlApi api = new IntegreSqlApi(server, templates, leases, postgres, finalizeTimeout, getTimeout);
    server.start();
    return api;
  }

  /** The base URL clients are given, e.g. {@code http://127.0.0.1:5000/api} (IntegreSQL's clients add {@code /v1}). */
  String baseUrl() {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/api";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      while (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      String method = exchange.getRequestMethod();
      try {
        if (closing) {
          throw new ApiException(503, "pgisolated serve is shutting down");
        }
        route(exchange, method, path);
      } catch (ApiException e) {
        if (e.status() >= 500) {
          LOG.warn("{} {}: {} {}", method, path, e.status(), e.getMessage());
        }
        send(exchange, e.status(), "{\"message\":" + Json.quote(e.getMessage()) + "}");
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", method, path, e);
        send(exchange, 500, "{\"message\":" + Json.quote(e.toString()) + "}");
      }
    }
  }

  private void route(HttpExchange exchange, String method, String path) throws IOException {
    Matcher m;
    if (path.equals("/api/v1/templates")) {
      requireMethod(method, "POST");
      initialize(exchange);
    } else if (path.equals("/api/v1/admin/templates")) {
      requireMethod(method, "DELETE");
      templates.discardAll().forEach(leases::endAll);
      send(exchange, 204, null);
    } else if ((m = TESTS.matcher(path)).matches()) {
      requireMethod(method, "GET");
      getTestDatabase(exchange, m.group(1));
    } else if ((m = TEST.matcher(path)).matches()) {
      String action = m.group(3);
      if (action == null) {
        requireMethod(method, "DELETE"); // IntegreSQL's soft-deprecated alias of /unlock
      } else {
        requireMethod(method, "POST");
      }
      giveBack(m.group(1), m.group(2), "/recreate".equals(action));
      send(exchange, 204, null);
    } else if ((m = TEMPLATE.matcher(path)).matches()) {
      if (method.equals("PUT")) {
        templates.finalizeTemplate(m.group(1));
      } else if (method.equals("DELETE")) {
        leases.endAll(templates.discard(m.group(1)));
      } else {
        throw new ApiException(405, "Method Not Allowed");
      }
      send(exchange, 204, null);
    } else {
      throw new ApiException(404, "Not Found");
    }
  }

  private void initialize(HttpExchange exchange) throws IOException {
    String body = readBody(exchange);
    Map<String, Object> json;
    try {
      json = Json.parseObject(body);
    } catch (Json.MalformedJsonException e) {
      throw new ApiException(400, "invalid JSON body: " + e.getMessage());
    }
    Object hash = json.get("hash");
    if (hash != null && !(hash instanceof String)) {
      throw new ApiException(400, "hash must be a string");
    }
    if (hash == null || ((String) hash).isEmpty()) {
      throw new ApiException(400, "hash is required");
    }
    HttpTemplates.Entry entry = templates.initialize((String) hash);
    if (entry == null) {
      throw new ApiException(423, "template is already initialized");
    }
    send(exchange, 200, "{\"database\":" + database(entry.clientHash, postgres.database(DatabaseNames.template(entry.hash)))
        + "}");
  }

  private void getTestDatabase(HttpExchange exchange, String clientHash) throws IOException {
    long start = System.nanoTime();
    HttpTemplates.Entry entry = templates.awaitReady(clientHash, start + finalizeTimeout.toNanos());
    Key key = leases.lease(entry.hash, getTimeout);
    ClientLease lease = leases.get(key);
    if (lease == null) {
      throw new ApiException(503, "the database was taken back before it could be handed out; ask again");
    }
    boolean sent = false;
    try {
      send(exchange, 200, "{\"database\":" + database(clientHash, lease.database()) + ",\"id\":" + key.id() + "}");
      sent = true;
    } finally {
      if (!sent) {
        // The client went away before it got it: nobody else will give it back.
        leases.giveBack(key, true);
      }
    }
    LOG.debug("GET {}: {} in {} ms", clientHash, lease.database().databaseName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private void giveBack(String clientHash, String idText, boolean recreate) {
    int id;
    try {
      id = Integer.parseInt(idText);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "invalid test database id '" + idText + "': a whole number is expected");
    }
    HttpTemplates.Entry entry = templates.awaitReady(clientHash, System.nanoTime() + finalizeTimeout.toNanos());
    if (leases.giveBack(new Key(entry.hash, id), !recreate) == GiveBack.UNKNOWN) {
      // IntegreSQL v1.1 answers 500 here (ErrInvalidIndex is not mapped): an unknown id is not found.
      throw new ApiException(404, "test database " + id + " of template " + clientHash + " not found");
    }
  }

  /** IntegreSQL's database object: {"templateHash": ..., "config": {...}}. */
  private static String database(String clientHash, PgDatabase db) {
    return "{\"templateHash\":" + Json.quote(clientHash) + ",\"config\":{\"host\":" + Json.quote(db.host())
        + ",\"port\":" + db.port() + ",\"username\":" + Json.quote(db.user()) + ",\"password\":"
        + Json.quote(db.password()) + ",\"database\":" + Json.quote(db.databaseName()) + "}}";
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new ApiException(405, "Method Not Allowed");
    }
  }

  private static String readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new ApiException(400, "the body is larger than " + MAX_BODY + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    if (json == null) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops taking requests (those in flight get 503 or finish within a second), then stops the server. */
  @Override
  public void close() {
    closing = true;
    server.stop(1);
    threads.shutdownNow();
  }
}
