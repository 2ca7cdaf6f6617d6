package dev.edgellm.export;

import dev.edgellm.util.Reporter;
import java.nio.file.Path;

/** A child process for {@link FullDiskTest}: exports args[0] into args[1] and says how it went. */
public final class ExportInto {
  private ExportInto() {}

  public static void main(String[] args) {
    try {
      new Exporter(Reporter.silent())
          .export(ExportRequest.fp32(Path.of(args[0]), Path.of(args[1])));
      System.out.println("RESULT exported");
    } catch (Throwable e) {
      System.out.println("RESULT " + e.getClass().getName() + ": " + e.getMessage());
    }
  }
}
