package dev.edgellm.util;

import java.io.PrintStream;

/**
 * Where the core writes its log lines. The core never talks to Maven's {@code Log}; a mojo adapts
 * its {@code Log} to this interface (see {@code dev.edgellm.maven.MavenReporter}), tests and
 * benchmarks use {@link #silent()} or {@link #to(PrintStream)}.
 *
 * <p>Implementations must be thread-safe: core code may report from worker threads.
 */
public interface Reporter {

  /** A normal progress or summary line. */
  void info(String message);

  /** Something the user should look at, that does not stop the work. */
  void warn(String message);

  /** Detail that is only shown when asked for (Maven's {@code -X}). */
  default void debug(String message) {}

  /** A reporter that drops everything. */
  static Reporter silent() {
    return new Reporter() {
      @Override
      public void info(String message) {}

      @Override
      public void warn(String message) {}
    };
  }

  /** A reporter that prints {@code [INFO] ...}/{@code [WARNING] ...} lines to {@code out}. */
  static Reporter to(PrintStream out) {
    return new Reporter() {
      @Override
      public void info(String message) {
        out.println("[INFO] " + message);
      }

      @Override
      public void warn(String message) {
        out.println("[WARNING] " + message);
      }
    };
  }
}
