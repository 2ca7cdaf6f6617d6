package dev.edgellm.util;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary files and folders a goal is writing (before they are renamed to their final names,
 * or deleted). When the JVM is stopped (SIGTERM, Ctrl-C: Maven stopped), one shutdown hook deletes
 * those still there, so that an interrupted build leaves neither a partial file under a final name
 * (the rename never happened) nor a temporary one. A kill -9 runs no hook: export removes what such
 * a run left on its next run.
 */
public final class InFlight {
  private InFlight() {}

  private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(InFlight::deleteAll, "edge-llm-cleanup"));
  }

  /** Records {@code path} (a temporary file or folder) as being written. */
  public static void add(Path path) {
    PATHS.add(path.toAbsolutePath());
  }

  /** {@code path} was renamed to its final name or deleted. */
  public static void remove(Path path) {
    PATHS.remove(path.toAbsolutePath());
  }

  /** The paths being written now (for tests). */
  static List<Path> now() {
    return List.copyOf(PATHS);
  }

  private static void deleteAll() {
    for (Path p : PATHS) {
      try {
        FileTrees.delete(p);
      } catch (IOException | RuntimeException e) {
        // the JVM is stopping: what is left is removed by export's next run, or by hand
      }
    }
  }
}
