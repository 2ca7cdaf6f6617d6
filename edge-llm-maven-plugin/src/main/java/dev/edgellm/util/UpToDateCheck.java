package dev.edgellm.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Incremental builds: a goal's outputs are up to date when the fingerprint of what produced them
 * (the tool, every output-affecting setting, and every input file's path, size and modification
 * time) equals the one recorded when they were written, and the outputs recorded then are still
 * there, unchanged (same size and modification time).
 *
 * <p>The fingerprint is a small text file (one line per tool, setting, input and output) that a
 * goal keeps beside its outputs or in the build folder. It is written only after the outputs were
 * completely written, and deleted before a goal rewrites them, so an interrupted build never looks
 * up to date. Because it is text, a rerun can say why: which setting or file changed.
 *
 * <p>Use: build it with {@link #of}, call {@link #skipIfUpToDate} (which logs either the skip or
 * the reason to run), do the work, then {@link #record} the files written.
 */
public final class UpToDateCheck {
  private static final String HEADER =
      "# edge-llm fingerprint: the goal's outputs are up to date while every line below holds";

  private final Path stateFile;
  private final String goal;
  private final List<String> lines;

  private UpToDateCheck(Path stateFile, String goal, List<String> lines) {
    this.stateFile = stateFile;
    this.goal = goal;
    this.lines = lines;
  }

  /**
   * Builds the check for one goal.
   *
   * @param stateFile where the fingerprint is kept (created on {@link #record})
   * @param goal the goal's name for log lines, e.g. {@code edge-llm:export}
   * @param settings every setting that changes the outputs, by name (order does not matter)
   * @param inputs files or folders the goal reads; folders are walked (every regular file, sorted);
   *     a missing input is fingerprinted as missing
   */
  public static UpToDateCheck of(
      Path stateFile, String goal, Map<String, String> settings, List<Path> inputs) {
    Objects.requireNonNull(stateFile, "stateFile");
    Objects.requireNonNull(goal, "goal");
    List<String> lines = new ArrayList<>();
    lines.add("tool " + toolVersion());
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      lines.add("setting " + e.getKey() + "=" + e.getValue());
    }
    for (Path input : inputs) {
      for (Path file : files(input)) {
        lines.add("input " + describe(file));
      }
    }
    return new UpToDateCheck(stateFile.toAbsolutePath().normalize(), goal, List.copyOf(lines));
  }

  /** Whether the outputs are up to date, and if not, why. */
  public record Status(boolean upToDate, String reason) {}

  /** Compares the current fingerprint with the recorded one and checks the recorded outputs. */
  public Status status() {
    List<String> recorded;
    try {
      if (!Files.isRegularFile(stateFile)) {
        return new Status(false, "no earlier build recorded");
      }
      recorded = Files.readAllLines(stateFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Status(false, "cannot read " + stateFile + " (" + e.getMessage() + ")");
    }
    Map<String, String> before = keyed(recorded, false);
    Map<String, String> now = keyed(lines, false);
    for (Map.Entry<String, String> e : now.entrySet()) {
      String old = before.get(e.getKey());
      if (!e.getValue().equals(old)) {
        return new Status(false, difference(e.getKey(), old, e.getValue()));
      }
    }
    for (Map.Entry<String, String> e : before.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        return new Status(false, difference(e.getKey(), e.getValue(), null));
      }
    }
    Map<String, String> outputs = keyed(recorded, true);
    if (outputs.isEmpty()) {
      return new Status(false, "no outputs recorded");
    }
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      Path out = Path.of(e.getKey());
      String current = describe(out);
      if (!current.equals(e.getKey() + " " + e.getValue())) {
        return new Status(
            false,
            Files.exists(out)
                ? "output " + out + " changed since it was written"
                : "output " + out + " is missing");
      }
    }
    return new Status(true, "up to date");
  }

  /**
   * The usual start of a goal: when up to date, logs {@code <goal> is up to date (<unchanged>
   * unchanged): skipping; <rebuildHint>} and returns true; otherwise logs why it runs, forgets the
   * recorded fingerprint (so a failure cannot leave it looking up to date) and returns false.
   *
   * @param unchanged what was found unchanged, e.g. {@code "checkpoint and settings"}
   * @param rebuildHint how to force a rebuild, e.g. {@code "delete target/edge-llm or change a
   *     setting to rebuild"}
   */
  public boolean skipIfUpToDate(Reporter log, String unchanged, String rebuildHint) {
    Status s = status();
    if (s.upToDate()) {
      log.info(goal + " is up to date (" + unchanged + " unchanged): skipping; " + rebuildHint);
      return true;
    }
    log.info(goal + ": running (" + s.reason() + ")");
    invalidate();
    return false;
  }

  /**
   * Records the fingerprint together with the outputs' sizes and modification times; call after the
   * outputs were written successfully.
   */
  public void record(List<Path> outputs) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    text.append("# goal ").append(goal).append('\n');
    for (String line : lines) {
      text.append(line).append('\n');
    }
    for (Path out : outputs) {
      text.append("output ").append(describe(out.toAbsolutePath().normalize())).append('\n');
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
      AtomicFiles.write(
          stateFile,
          ch -> {
            while (bytes.hasRemaining()) {
              ch.write(bytes);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stateFile, e);
    }
  }

  /** Forgets the recorded fingerprint (before rewriting outputs). */
  public void invalidate() {
    try {
      Files.deleteIfExists(stateFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + stateFile, e);
    }
  }

  /** Where the fingerprint is kept. */
  public Path stateFile() {
    return stateFile;
  }

  /** The current fingerprint's lines (tool, settings, inputs), for tests and debugging. */
  public List<String> lines() {
    return lines;
  }

  /**
   * Lines keyed for comparison: {@code tool}, {@code setting NAME} and {@code input PATH} map to
   * their values (or, with {@code outputs}, only the {@code output PATH} lines, keyed by PATH).
   */
  private static Map<String, String> keyed(List<String> lines, boolean outputs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("output ")) {
        if (outputs) {
          String rest = line.substring("output ".length());
          int sizeAt = lastSpace(rest, 2);
          if (sizeAt > 0) {
            map.put(rest.substring(0, sizeAt), rest.substring(sizeAt + 1));
          }
        }
        continue;
      }
      if (outputs) {
        continue;
      }
      if (line.startsWith("tool ")) {
        map.put("tool", line.substring(5));
      } else if (line.startsWith("setting ")) {
        int eq = line.indexOf('=');
        String name = eq < 0 ? line : line.substring(0, eq);
        map.put(name, eq < 0 ? "" : line.substring(eq + 1));
      } else if (line.startsWith("input ")) {
        String rest = line.substring("input ".length());
        int at =
            rest.endsWith(" missing") ? rest.length() - " missing".length() : lastSpace(rest, 2);
        if (at > 0) {
          map.put("input " + rest.substring(0, at), rest.substring(at + 1));
        }
      }
    }
    return map;
  }

  private static String difference(String key, String before, String now) {
    if (key.equals("tool")) {
      return "the plugin changed";
    }
    if (key.startsWith("setting ")) {
      String name = key.substring("setting ".length());
      if (before == null) {
        return "setting " + name + " is new (" + now + ")";
      }
      if (now == null) {
        return "setting " + name + " is gone (was " + before + ")";
      }
      return "setting " + name + " changed from " + before + " to " + now;
    }
    String path = key.substring("input ".length());
    if (before == null) {
      return "input " + path + " is new";
    }
    if (now == null) {
      return "input " + path + " is gone";
    }
    return "input " + path + " changed";
  }

  /** Index of the n-th space from the end (n = 1: the last), or -1. */
  private static int lastSpace(String s, int n) {
    int at = s.length();
    for (int i = 0; i < n; i++) {
      at = s.lastIndexOf(' ', at - 1);
      if (at < 0) {
        return -1;
      }
    }
    return at;
  }

  /** {@code PATH SIZE MTIME_MILLIS}, or {@code PATH missing}. */
  private static String describe(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    try {
      BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
      return abs + " " + a.size() + " " + a.lastModifiedTime().toMillis();
    } catch (IOException ex) {
      return abs + " missing";
    }
  }

  private static List<Path> files(Path input) {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (Stream<Path> walk = Files.walk(input)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      return List.of(input);
    }
  }

  /**
   * The plugin's version plus the size and time of the jar it runs from, so that installing a new
   * build of the plugin (a SNAPSHOT keeps its version) makes every output out of date.
   */
  static String toolVersion() {
    String v = UpToDateCheck.class.getPackage().getImplementationVersion();
    StringBuilder s = new StringBuilder(v == null ? "dev" : v);
    try {
      CodeSource source = UpToDateCheck.class.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        Path jar = Path.of(source.getLocation().toURI());
        if (Files.isRegularFile(jar)) {
          BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
          s.append(" jar ").append(a.size()).append(' ').append(a.lastModifiedTime().toMillis());
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // Not from a jar file (tests run from classes): the version alone.
    }
    return s.toString();
  }
}
