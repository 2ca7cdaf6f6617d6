package dev.edgellm.util;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.testing.BigStack;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.nio.file.Path;

/**
 * Not a test: {@link SigtermTest}'s child JVM, one goal's core with its log on stdout: {@code
 * export CHECKPOINT OUT}, {@code quantize IN OUT}, {@code stage CHECKPOINT MODEL DIR}, {@code
 * validate DIR REPORT_DIR}. Prints {@code DONE} when the goal returns.
 */
public final class GoalRun {
  private GoalRun() {}

  public static void main(String[] args) {
    try {
      BigStack.run(() -> run(args));
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.out.println("DONE");
  }

  private static void run(String[] a) throws Exception {
    Reporter log = Reporter.to(System.out);
    switch (a[0]) {
      case "export" ->
          new Exporter(log)
              .export(
                  new ExportRequest(Path.of(a[1]), Path.of(a[2]), Precision.FP32, Embeddings.FP32));
      case "quantize" -> ModelQuantizer.run(QuantizeRequest.of(Path.of(a[1]), Path.of(a[2])), log);
      case "stage" ->
          new Stager(log)
              .stage(new StageRequest(Path.of(a[1]), Path.of(a[2]), Path.of(a[3]), Layout.LOCAL));
      case "validate" ->
          new Validator(log)
              .validate(ValidationRequest.of(Path.of(a[1])).withReportDirectory(Path.of(a[2])));
      default -> throw new IllegalArgumentException(a[0]);
    }
  }
}
