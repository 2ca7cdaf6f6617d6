package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import dev.edgellm.chat.ChatTemplate;
import dev.edgellm.maven.Properties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the quality checks ({@link QualityCheck}, {@link ExamplesCheck}) share: the checks that must
 * pass before a model is run, how the staged model and the fp32 reference are told apart, and how a
 * model ONNX Runtime cannot run is reported.
 */
final class QualityRuns {
  /** How to fix a reference that is not the fp32 export of the staged model's checkpoint. */
  static final String REFERENCE_FIX =
      "Point " + Properties.VALIDATE_REFERENCE + " at the fp32 export of this checkpoint";

  private QualityRuns() {}

  /** Skips unless the staged model was found runnable (size, parse, weights, I/O, a greedy run). */
  static void requireRunnable(ValidationContext ctx) throws SkipCheck {
    ctx.requirePassed("model.size", "model.parses", "model.embedded", "contract.io", "run.greedy");
  }

  /** True for the demo checkpoint (random weights), which no quality gate applies to. */
  static boolean isDemo(ValidationContext ctx) {
    try {
      return ctx.json("config.json")
          .path(dev.edgellm.demo.DemoCheckpoint.DEMO_FLAG)
          .asBoolean(false);
    } catch (SkipCheck e) {
      return false;
    }
  }

  /**
   * True when the user's examples are the quality gate: they are set, and the staged model has a
   * chat template to replay them through (a base model, e.g. a story generator in an app whose
   * template ships the demo's tool examples, has none; its gate is the top-1 agreement).
   */
  static boolean examplesApply(ValidationContext ctx) {
    if (ctx.request().examples() == null) {
      return false;
    }
    try {
      return ChatTemplate.present(ctx.directory(), ctx.json("tokenizer_config.json"));
    } catch (SkipCheck e) {
      return true; // no tokenizer_config.json: quality.examples says what is missing
    }
  }

  /** True when both paths are the same file or hold the same bytes. */
  static boolean sameModel(Path a, Path b) throws IOException {
    return Files.isSameFile(a, b) || (Files.size(a) == Files.size(b) && Files.mismatch(a, b) == -1);
  }

  /** Reports that ONNX Runtime could not run the staged model. */
  static void stagedFailed(ValidationContext ctx, Findings out, OrtException e) throws SkipCheck {
    out.error(
        ctx.modelFile(),
        "ONNX Runtime could not run the staged model: "
            + ValidationContext.firstLine(e.getMessage()),
        "Export again");
  }

  /** The message for a reference ONNX Runtime could not run (an error or a warning by caller). */
  static String referenceFailed(OrtException e) {
    return "ONNX Runtime could not run the reference: "
        + ValidationContext.firstLine(e.getMessage());
  }
}
