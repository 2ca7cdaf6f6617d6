package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import java.nio.file.Files;

/**
 * {@code files.present}: config.json, generation_config.json, the tokenizer files and one ONNX
 * model exist.
 */
final class FilesPresentCheck implements Check {
  @Override
  public String id() {
    return "files.present";
  }

  @Override
  public String title() {
    return "Required files are present";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) {
    if (!Files.isDirectory(ctx.directory())) {
      out.error(
          ctx.directory().toString(),
          "The staged folder does not exist",
          "Run the stage goal, or point " + Properties.VALIDATE_DIRECTORY + " at a staged folder");
      return;
    }
    for (String name : ValidationContext.REQUIRED_JSON) {
      if (!Files.isRegularFile(ctx.file(name))) {
        out.error(
            name,
            name + " is missing: Transformers.js requests it and the model does not load",
            "Stage again (stage writes " + name + "), or copy it from the base model");
      }
    }
    if (ctx.onnxFiles().isEmpty()) {
      out.error(
          "onnx/",
          "No ONNX model in onnx/",
          "Stage again: stage copies the model to onnx/model.onnx");
    }
    out.detail("files", ctx.listOnnxFolder());
  }
}
