package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layout shows the architecture: the packages of every module's main code depend on each other
 * without cycles, so an API package never imports a package that imports it back, and every
 * internal package can be read on its own. Read from the sources (imports), like Checkstyle's
 * import control.
 */
class PackageDependencyTests {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.github\\.pgisolated\\.[\\w.]+);",
      Pattern.MULTILINE);

  @Test
  void packagesOfEveryModuleDependOnEachOtherWithoutCycles() throws IOException {
    List<Path> modules;
    try (Stream<Path> children = Files.list(Path.of("..").toAbsolutePath().normalize())) {
      modules = children.filter(m -> Files.isDirectory(m.resolve("src/main/java/io/github/pgisolated"))).sorted().toList();
    }
    assertThat(modules).extracting(m -> m.getFileName().toString()).contains("core", "junit5-extension");
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Path module : modules) {
      graph.putAll(dependencies(module.resolve("src/main/java")));
    }
    assertThat(graph).containsKeys("io.github.pgisolated.core", "io.github.pgisolated.core.internal.engine");
    assertThat(cycles(graph)).as("package cycles (each line: packages that depend on each other)").isEmpty();
  }

  @Test
  void theCycleCheckFindsACycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("a", Set.of("b"));
    graph.put("b", Set.of("c"));
    graph.put("c", Set.of("a"));
    graph.put("d", Set.of("a"));
    assertThat(cycles(graph)).containsExactly(List.of("a", "b", "c"));
  }

  /** Package to the packages of this project it imports, from one source root. */
  private static Map<String, Set<String>> dependencies(Path sources) throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
        String source = read(file);
        Matcher p = PACKAGE.matcher(source);
        if (!p.find()) {
          return;
        }
        Set<String> imports = graph.computeIfAbsent(p.group(1), k -> new TreeSet<>());
        Matcher i = IMPORT.matcher(source);
        while (i.find()) {
          String imported = packageOf(i.group(1));
          if (!imported.equals(p.group(1))) {
            imports.add(imported);
          }
        }
      });
    }
    return graph;
  }

  /** The package of an imported name: everything before its first upper-case part. */
  private static String packageOf(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.")) {
      if (Character.isUpperCase(part.charAt(0))) {
        break;
      }
      parts.add(part);
    }
    return String.join(".", parts);
  }

  /** The strongly connected components of more than one package (Tarjan), each sorted. */
  private static List<List<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> result = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, result, counter);
      }
    }
    return result;
  }

  private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<List<String>> result, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]);
    counter[0]++;
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, result, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      List<String> component = new ArrayList<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      if (component.size() > 1) {
        component.sort(null);
        result.add(component);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
