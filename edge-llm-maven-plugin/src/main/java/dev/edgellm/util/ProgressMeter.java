package dev.edgellm.util;

import java.util.Locale;

/**
 * Turns "one more item of so many bytes is done" events into rate-limited log lines of the form
 * {@code quantize: tensor 12 of 127 (lm_head), 420.1 of 1071.6 MB, 812.3 MB/s}. Thread-safe.
 *
 * <p>A line is written at most every {@code intervalMillis} and always for the last item, so a fast
 * run logs a handful of lines and a slow one logs steadily.
 */
public final class ProgressMeter {
  private final Reporter reporter;
  private final String label;
  private final String unit;
  private final int totalItems;
  private final long totalBytes;
  private final long intervalNanos;
  private final long startNanos;
  private int doneItems;
  private long doneBytes;
  private long lastReportNanos;

  /**
   * @param reporter where lines go
   * @param label what is being done, e.g. {@code "quantize"}; starts each line
   * @param totalItems how many items there are (tensors, files)
   * @param totalBytes how many bytes the items have together
   * @param intervalMillis least time between two lines (0 = a line per item)
   */
  public ProgressMeter(
      Reporter reporter, String label, int totalItems, long totalBytes, long intervalMillis) {
    this(reporter, label, "tensor", totalItems, totalBytes, intervalMillis);
  }

  /**
   * @param unit what an item is, e.g. {@code "file"}; lines read {@code label: unit 3 of 5 (name)}
   * @see #ProgressMeter(Reporter, String, int, long, long)
   */
  public ProgressMeter(
      Reporter reporter,
      String label,
      String unit,
      int totalItems,
      long totalBytes,
      long intervalMillis) {
    this.reporter = reporter;
    this.label = label;
    this.unit = unit;
    this.totalItems = totalItems;
    this.totalBytes = totalBytes;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.startNanos = System.nanoTime();
    this.lastReportNanos = startNanos;
  }

  /** Records that one item ({@code name}, {@code bytes} long) is done; may write a line. */
  public synchronized void itemDone(String name, long bytes) {
    doneItems++;
    doneBytes += bytes;
    long now = System.nanoTime();
    if (doneItems == totalItems || now - lastReportNanos >= intervalNanos) {
      report(now, doneItems, name);
    }
  }

  /**
   * Records {@code bytes} more of the item {@code name} (the one after those done), for items so
   * large that a line per item is not enough (a download); may write a line. {@code bytes} may be
   * negative when work is thrown away (a download that restarts).
   */
  public synchronized void advance(String name, long bytes) {
    doneBytes += bytes;
    long now = System.nanoTime();
    if (now - lastReportNanos >= intervalNanos && intervalNanos > 0) {
      report(now, Math.min(doneItems + 1, totalItems), name);
    }
  }

  private void report(long now, int item, String name) {
    lastReportNanos = now;
    reporter.info(
        String.format(
            Locale.ROOT,
            "%s: %s %d of %d (%s), %.1f of %.1f MB, %.1f MB/s",
            label,
            unit,
            item,
            totalItems,
            name,
            mb(doneBytes),
            mb(totalBytes),
            mbPerSecond()));
  }

  /** Bytes done so far. */
  public synchronized long doneBytes() {
    return doneBytes;
  }

  /** Items done so far. */
  public synchronized int doneItems() {
    return doneItems;
  }

  /** Seconds since this meter was made. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Average throughput since this meter was made, in MB (10^6 bytes) per second. */
  public synchronized double mbPerSecond() {
    double s = elapsedSeconds();
    return s <= 0 ? 0 : mb(doneBytes) / s;
  }

  /** Bytes as decimal megabytes (10^6), the unit of every size in the log. */
  public static double mb(long bytes) {
    return bytes / 1e6;
  }
}
