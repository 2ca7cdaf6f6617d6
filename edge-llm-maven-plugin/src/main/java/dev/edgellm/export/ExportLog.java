package dev.edgellm.export;

/** Where the export reports progress; the Maven goal forwards it to Maven's log. */
@FunctionalInterface
public interface ExportLog {
  void info(String message);

  /** Discards everything. */
  ExportLog NONE = m -> {};
}
