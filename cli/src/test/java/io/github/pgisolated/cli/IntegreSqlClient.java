package io.github.pgisolated.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bare IntegreSQL client on the JDK's HTTP client, as a test sees the wire. */
final class IntegreSqlClient {
  private static final Pattern STRING = Pattern.compile("\"%s\":\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?[0-9]+)");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  /** @param baseUrl as clients get it: {@code http://127.0.0.1:5000/api} */
  IntegreSqlClient(String baseUrl) {
    this.base = baseUrl + "/v1";
  }

  record Response(int status, String body) {
    String string(String field) {
      Matcher m = Pattern.compile(String.format(STRING.pattern(), field)).matcher(body);
      if (!m.find()) {
        throw new AssertionError("no \"" + field + "\" in " + status + " " + body);
      }
      return m.group(1);
    }

    int number(String field) {
      Matcher m = Pattern.compile(String.format(NUMBER.pattern(), field)).matcher(body);
      if (!m.find()) {
        throw new AssertionError("no \"" + field + "\" in " + status + " " + body);
      }
      return Integer.parseInt(m.group(1));
    }

    /** A JDBC connection to the database in the body's config. */
    Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:postgresql://" + string("host") + ":" + number("port") + "/"
          + string("database"), string("username"), string("password"));
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Response send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }

  Response initialize(String hash) throws IOException, InterruptedException {
    return send("POST", "/templates", "{\"hash\":\"" + hash + "\"}");
  }

  Response finalizeTemplate(String hash) throws IOException, InterruptedException {
    return send("PUT", "/templates/" + hash, null);
  }

  Response discard(String hash) throws IOException, InterruptedException {
    return send("DELETE", "/templates/" + hash, null);
  }

  Response get(String hash) throws IOException, InterruptedException {
    return send("GET", "/templates/" + hash + "/tests", null);
  }

  Response unlock(String hash, Object id) throws IOException, InterruptedException {
    return send("POST", "/templates/" + hash + "/tests/" + id + "/unlock", null);
  }

  Response recreate(String hash, Object id) throws IOException, InterruptedException {
    return send("POST", "/templates/" + hash + "/tests/" + id + "/recreate", null);
  }
}
