package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the entries of a tar stream under a target directory, refusing anything that would land
 * outside it.
 *
 * <p>Safety rules: entry names must be relative and stay inside the target after normalisation;
 * symbolic links must be relative and point inside the target (so that no later entry can be
 * written through them to somewhere else, and the parent of every written entry is checked by its
 * real path too); hard links must name an already extracted file inside the target. Devices and
 * FIFOs are skipped. Permission bits come from the archive (without set-id bits), independent of
 * the umask, so binaries stay executable and readable by the account PostgreSQL runs as.
 */
public final class TarExtractor {

  /** Directories the archive does not list get 0755, like tar does with a 022 umask. */
  private static final int IMPLICIT_DIRECTORY_MODE = 0755;

  private TarExtractor() {}

  /** Extracts {@code tar} into {@code target} (created if missing); returns the entry count. */
  public static int extract(InputStream tar, Path target) throws IOException {
    Files.createDirectories(target);
    Path root = target.toRealPath();
    TarReader reader = new TarReader(tar);
    List<Path> directories = new ArrayList<>();
    List<Integer> directoryModes = new ArrayList<>();
    int count = 0;
    for (TarReader.Entry entry = reader.next(); entry != null; entry = reader.next()) {
      Path path = resolveInside(root, entry.name());
      if (path.equals(root)) {
        continue;
      }
      count++;
      switch (entry.type()) {
        case DIRECTORY -> {
          createDirectories(root, path);
          directories.add(path);
          directoryModes.add(entry.mode());
        }
        case FILE -> {
          prepareParent(root, path);
          Files.deleteIfExists(path);
          try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            reader.content().transferTo(out);
          }
          setMode(path, entry.mode());
        }
        case SYMLINK -> {
          throwIfLinkEscapes(root, path, entry);
          prepareParent(root, path);
          Files.deleteIfExists(path);
          Files.createSymbolicLink(path, Path.of(entry.linkName()));
        }
        case HARDLINK -> {
          Path source = resolveInside(root, entry.linkName());
          if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("Tar entry '" + entry.name() + "' is a hard link to '"
                + entry.linkName() + "', which is not a file extracted before it");
          }
          prepareParent(root, path);
          Files.copy(source, path, StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        case OTHER -> count--;
      }
    }
    // Directory modes last: a read-only directory would have blocked writing its entries.
    for (int i = directories.size() - 1; i >= 0; i--) {
      setMode(directories.get(i), directoryModes.get(i) | 0700);
    }
    return count;
  }

  /** The entry's path under {@code root}; throws when the name is absolute or climbs out. */
  static Path resolveInside(Path root, String name) throws IOException {
    String relative = name;
    while (relative.startsWith("./")) {
      relative = relative.substring(2);
    }
    if (relative.startsWith("/") || relative.indexOf('\0') >= 0 || relative.contains("\\")) {
      throw new IOException("Tar entry '" + name + "' has an absolute or invalid path; refusing to "
          + "extract it into " + root);
    }
    Path path = root.resolve(relative).normalize();
    if (!path.startsWith(root)) {
      throw new IOException("Tar entry '" + name + "' points outside " + root
          + "; refusing to extract it (path traversal)");
    }
    return path;
  }

  private static void throwIfLinkEscapes(Path root, Path path, TarReader.Entry entry)
      throws IOException {
    String link = entry.linkName();
    if (link.isEmpty() || link.startsWith("/")
        || !path.getParent().resolve(link).normalize().startsWith(root)) {
      throw new IOException("Tar entry '" + entry.name() + "' is a symbolic link to '" + link
          + "', outside " + root + "; refusing to extract it (path traversal)");
    }
  }

  private static void prepareParent(Path root, Path path) throws IOException {
    createDirectories(root, path.getParent());
  }

  private static void createDirectories(Path root, Path directory) throws IOException {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      createDirectories(root, directory.getParent());
      if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        // A symlink (even one pointing inside) or a file where a directory must be.
        throw new IOException("Tar archive needs directory " + directory + " but a "
            + (Files.isSymbolicLink(directory) ? "symbolic link" : "file") + " is there");
      }
      Files.createDirectory(directory);
      setMode(directory, IMPLICIT_DIRECTORY_MODE);
    }
    if (!directory.toRealPath().startsWith(root)) {
      throw new IOException("Directory " + directory + " resolves outside " + root
          + "; refusing to extract into it (path traversal)");
    }
  }

  private static void setMode(Path path, int mode) throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        permissions.add(bits[i]);
      }
    }
    permissions.add(PosixFilePermission.OWNER_READ);
    setPermissions(path, permissions);
  }

  private static void setPermissions(Path path, Set<PosixFilePermission> permissions)
      throws IOException {
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: keep the defaults.
    }
  }
}
