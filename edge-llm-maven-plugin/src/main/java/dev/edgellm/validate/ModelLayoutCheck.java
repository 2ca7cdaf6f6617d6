package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import dev.edgellm.stage.Layout;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code model.layout}: config.json declares a dtype, and the model file has the name
 * Transformers.js derives from it ({@code fp32} -> {@code onnx/model.onnx}, {@code q4} -> {@code
 * onnx/model_q4.onnx}). A mismatch is the seed guide's "session creation fails" trap.
 */
final class ModelLayoutCheck implements Check {
  @Override
  public String id() {
    return "model.layout";
  }

  @Override
  public String title() {
    return "Model file name matches the dtype in config.json";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    com.fasterxml.jackson.databind.JsonNode tjs =
        ctx.json("config.json").path("transformers.js_config");
    List<String> models = ctx.onnxFiles();
    String dtype = ctx.declaredDtype();
    if (dtype == null) {
      out.error(
          "config.json",
          "config.json declares no transformers.js_config.dtype: on WASM Transformers.js then defaults to q8"
              + " and requests onnx/model_quantized.onnx, which does not exist",
          "Add \"transformers.js_config\": {\"dtype\": \"fp32\"} for onnx/model.onnx (stage does this)");
      return;
    }
    String expected = ctx.expectedModelFile();
    if (expected == null) {
      out.error(
          "config.json",
          "Unknown dtype '" + dtype + "' in transformers.js_config",
          "Use fp32 (onnx/model.onnx) or q4 (onnx/model_q4.onnx)");
      return;
    }
    out.detail("dtype", dtype);
    out.detail("model", expected);
    if (!Files.isRegularFile(ctx.file(expected))) {
      out.error(
          expected,
          "config.json declares dtype "
              + dtype
              + ", so Transformers.js requests "
              + expected
              + ", which does not exist (the folder has "
              + (models.isEmpty() ? "no model" : String.join(", ", models))
              + "): session creation fails",
          models.size() == 1
              ? "Rename "
                  + models.get(0)
                  + " to "
                  + expected
                  + ", or set transformers.js_config.dtype to "
                  + dtypeFor(models.get(0))
                  + "; stage with "
                  + Properties.STAGE_LAYOUT
                  + "=local writes onnx/model.onnx with fp32"
              : "Stage again");
    }
    // device_config.<device>.dtype loads another variant on that device (e.g. q4f16 on webgpu)
    java.util.Set<String> loaded = new java.util.HashSet<>(List.of(expected));
    tjs.path("device_config")
        .forEach(
            d -> {
              String file = Layout.modelFileNameForDtype(d.path("dtype").asText(""));
              if (file != null) {
                loaded.add("onnx/" + file);
              }
            });
    for (String m : models) {
      if (!loaded.contains(m)) {
        out.warn(
            m,
            m
                + " is never loaded (dtype "
                + dtype
                + " loads "
                + expected
                + "); it only adds to the deployment",
            "Delete it, or stage again");
      }
    }
  }

  private static String dtypeFor(String file) {
    for (String d : List.of("fp32", "fp16", "q8", "q4", "q4f16", "int8", "uint8", "bnb4")) {
      if (("onnx/" + Layout.modelFileNameForDtype(d)).equals(file)) {
        return d;
      }
    }
    return "the matching dtype";
  }
}
