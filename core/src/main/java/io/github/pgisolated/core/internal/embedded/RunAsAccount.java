package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The account initdb, pg_ctl and postgres run as.
 *
 * <p>PostgreSQL refuses to run as root, and CI containers run builds as root. zonky's answer
 * ({@code unshare -U}) needs a privileged container; ours is to drop to an ordinary account,
 * {@code nobody} by default ({@code pgisolated.embedded.run-as}), with the first of {@code
 * setpriv --reuid --regid --clear-groups}, {@code runuser -u} or {@code su -s /bin/sh} that
 * exists. The account may be given as {@code uid[:gid]} for images without a passwd entry for it
 * (setpriv only). That account owns the data directory and the server log; the binaries stay
 * owned by root and world-readable.
 *
 * <p>When the JVM is not root, {@link #CURRENT_USER} runs everything directly (a null object: no
 * wrapping, no chown).
 */
public final class RunAsAccount {

  /** Run as the JVM's own user. */
  public static final RunAsAccount CURRENT_USER = new RunAsAccount(null, -1, -1, List.of());

  private static final Pattern NUMERIC = Pattern.compile("(\\d+)(?::(\\d+))?");

  private final String name;
  private final long uid;
  private final long gid;
  private final List<String> prefix;

  private RunAsAccount(String name, long uid, long gid, List<String> prefix) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
    this.prefix = prefix;
  }

  /** The account for {@code runAs} when root, else {@link #CURRENT_USER}. */
  public static RunAsAccount forSettings(EmbeddedSettings settings) {
    return CurrentUser.isRoot() ? resolve(settings.runAs()) : CURRENT_USER;
  }

  /** Resolves {@code runAs} (a name or {@code uid[:gid]}) and how to switch to it. */
  public static RunAsAccount resolve(String runAs) {
    long uid;
    long gid;
    Matcher numeric = NUMERIC.matcher(runAs);
    if (numeric.matches()) {
      uid = Long.parseLong(numeric.group(1));
      gid = numeric.group(2) == null ? uid : Long.parseLong(numeric.group(2));
    } else {
      Commands.Result uidResult = Commands.run(List.of("id", "-u", runAs), Duration.ofSeconds(10));
      Commands.Result gidResult = Commands.run(List.of("id", "-g", runAs), Duration.ofSeconds(10));
      if (!uidResult.succeeded() || !gidResult.succeeded()) {
        throw new EmbeddedPostgresException("This JVM runs as root, and PostgreSQL refuses to run "
            + "as root, so pgisolated runs it as the account '" + runAs + "'; but there is no "
            + "such account (id -u " + runAs + ": " + uidResult.output() + "). Fix: set "
            + "pgisolated.embedded.run-as=<account> to an existing unprivileged account (or "
            + "<uid>:<gid>, which needs setpriv), run the build as a non-root user, or use "
            + "pgisolated.postgres=external.");
      }
      uid = Long.parseLong(uidResult.output().trim());
      gid = Long.parseLong(gidResult.output().trim());
    }
    if (uid == 0) {
      throw new EmbeddedPostgresException("pgisolated.embedded.run-as='" + runAs + "' is root "
          + "(uid 0), and PostgreSQL refuses to run as root. Fix: name an unprivileged account, "
          + "e.g. pgisolated.embedded.run-as=nobody.");
    }
    return new RunAsAccount(runAs, uid, gid, switchPrefix(runAs, uid, gid, numeric.matches()));
  }

  private static List<String> switchPrefix(String runAs, long uid, long gid, boolean numeric) {
    Path setpriv = Commands.find("setpriv");
    if (setpriv != null) {
      return List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
          "--");
    }
    Path runuser = numeric ? null : Commands.find("runuser");
    if (runuser != null) {
      return List.of(runuser.toString(), "-u", runAs, "--");
    }
    Path su = numeric ? null : Commands.find("su");
    if (su != null) {
      return List.of(su.toString(), "-s", "/bin/sh", "-c", "exec \"$0\" \"$@\"", "--", runAs);
    }
    throw new EmbeddedPostgresException("This JVM runs as root, and PostgreSQL refuses to run as "
        + "root, so pgisolated must run it as '" + runAs + "'; but none of setpriv, runuser"
        + (numeric ? " (setpriv is needed for a numeric uid)" : " or su") + " is installed. Fix: "
        + "install util-linux (setpriv), run the build as a non-root user, or use "
        + "pgisolated.postgres=external.");
  }

  /** Whether commands run as another account than the JVM's. */
  public boolean switchesUser() {
    return name != null;
  }

  /** For messages: {@code nobody (uid 65534)} or {@code the current user}. */
  public String description() {
    return name == null ? "the current user" : "'" + name + "' (uid " + uid + ")";
  }

  /** The account name as configured, or null for the current user. */
  public String name() {
    return name;
  }

  public long uid() {
    return uid;
  }

  /** {@code command} wrapped so that it runs as this account. */
  public List<String> command(List<String> command) {
    if (prefix.isEmpty()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(prefix);
    wrapped.addAll(command);
    return wrapped;
  }

  /** Makes this account the owner of {@code path} (no-op for the current user). */
  public void takeOwnership(Path path) throws IOException {
    if (switchesUser()) {
      Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(path, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * Checks, as this account, that it can run {@code executable} and write {@code directory};
   * throws naming the fixes when it cannot (typically a parent directory it cannot traverse, such
   * as {@code /root} with mode 0700).
   */
  public void throwIfCannotUse(Path executable, Path directory) {
    if (!switchesUser()) {
      return;
    }
    Commands.Result check = Commands.run(command(List.of("/bin/sh", "-c",
        "test -x \"$1\" || { echo \"cannot execute $1\"; exit 1; }; "
            + "test -w \"$2\" || { echo \"cannot write $2\"; exit 1; }",
        "sh", executable.toString(), directory.toString())), Duration.ofSeconds(30));
    if (!check.succeeded()) {
      throw new EmbeddedPostgresException("This JVM runs as root, so pgisolated runs PostgreSQL "
          + "as " + description() + ", but that account cannot use the files it needs: "
          + check.output() + ". Every parent directory must be searchable (x) by it; for "
          + "example /root is usually mode 0700. Fix: point pgisolated.embedded.directory (and "
          + "pgisolated.embedded.data-directory) at a path it can reach such as "
          + "/var/tmp/pgisolated, choose another account with pgisolated.embedded.run-as=<account>, "
          + "run the build as a non-root user, or use pgisolated.postgres=external.");
    }
  }
}
