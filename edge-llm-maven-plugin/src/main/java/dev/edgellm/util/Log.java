package dev.edgellm.util;

/**
 * The core's logging, independent of Maven: mojos adapt Maven's {@code Log} to it, tests collect the
 * lines. Messages are complete sentences a user reads.
 */
public interface Log {
  /** Progress and results a user wants to see. */
  void info(String message);

  /** Something works but is probably not what the user wants. */
  void warn(String message);

  /** Details for {@code mvn -X}. */
  default void debug(String message) {}

  /** Discards everything. */
  Log NONE =
      new Log() {
        @Override
        public void info(String message) {}

        @Override
        public void warn(String message) {}
      };
}
