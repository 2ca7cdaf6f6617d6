package dev.edgellm.testing;

import dev.edgellm.util.Reporter;
import java.util.List;

/**
 * A {@link Reporter} for tests: appends every line, with an optional prefix per level, to a list.
 */
public final class RecordingReporter implements Reporter {
  private final List<String> lines;
  private final String infoPrefix;
  private final String warnPrefix;

  /**
   * Records info and warning lines into {@code lines}, prefixed with {@code infoPrefix}/{@code
   * warnPrefix}.
   */
  public RecordingReporter(List<String> lines, String infoPrefix, String warnPrefix) {
    this.lines = lines;
    this.infoPrefix = infoPrefix;
    this.warnPrefix = warnPrefix;
  }

  /** Records info and warning lines into {@code lines} as they are. */
  public RecordingReporter(List<String> lines) {
    this(lines, "", "");
  }

  @Override
  public synchronized void info(String message) {
    lines.add(infoPrefix + message);
  }

  @Override
  public synchronized void warn(String message) {
    lines.add(warnPrefix + message);
  }
}
