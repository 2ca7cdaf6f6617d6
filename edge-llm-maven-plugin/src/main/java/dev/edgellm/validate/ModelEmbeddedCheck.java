package dev.edgellm.validate;

import java.util.List;

/**
 * {@code model.embedded}: every weight is inside the model file: no tensor refers to external data
 * and no external data file lies beside it (browsers cannot mount such files).
 */
final class ModelEmbeddedCheck implements Check {
  @Override
  public String id() {
    return "model.embedded";
  }

  @Override
  public String title() {
    return "Model is one embedded file (no external data)";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    for (String f : ctx.listOnnxFolder()) {
      if (!f.endsWith(".onnx")) {
        String lower = f.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("data") || lower.contains(".onnx.") || lower.contains(".onnx_")) {
          out.error(f, f + " looks like an external data file: the browser cannot mount it, so weights in it never load",
              "Stage a model written as one embedded file (the quantize goal writes one) and delete " + f);
        }
      }
    }
    List<ExternalData.Reference> refs = ExternalData.references(ctx.model());
    out.detail("externalTensors", refs.size());
    if (!refs.isEmpty()) {
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < Math.min(5, refs.size()); i++) {
        names.append(i == 0 ? "" : ", ").append(refs.get(i).tensor()).append(" -> '").append(refs.get(i).location()).append('\'');
      }
      out.error(file, file + " keeps " + refs.size() + " tensors in external data (" + names + (refs.size() > 5 ? ", ..." : "")
              + "): the browser cannot mount external data files",
          "Write the model as one embedded file under 2 GiB (the quantize goal does), then stage again");
    }
  }
}
