package dev.edgellm.maven;

import dev.edgellm.util.Reporter;
import org.apache.maven.plugin.logging.Log;

/** Adapts Maven's {@link Log} to the core's {@link Reporter}. */
final class MavenReporter implements Reporter {
  private final Log log;

  MavenReporter(Log log) {
    this.log = log;
  }

  @Override
  public synchronized void info(String message) {
    log.info(message);
  }

  @Override
  public synchronized void warn(String message) {
    log.warn(message);
  }

  @Override
  public synchronized void debug(String message) {
    if (log.isDebugEnabled()) {
      log.debug(message);
    }
  }
}
