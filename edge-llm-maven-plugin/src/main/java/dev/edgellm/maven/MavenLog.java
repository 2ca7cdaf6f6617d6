package dev.edgellm.maven;

import dev.edgellm.util.Reporter;
import org.apache.maven.plugin.logging.Log;

/** Adapts Maven's log to the core's {@link Reporter}. */
final class MavenLog implements Reporter {
  private final Log log;

  MavenLog(Log log) {
    this.log = log;
  }

  @Override
  public void info(String message) {
    log.info(message);
  }

  @Override
  public void warn(String message) {
    log.warn(message);
  }

  @Override
  public void debug(String message) {
    log.debug(message);
  }
}
