package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import dev.edgellm.maven.Properties;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code quality.agreement}: with an fp32 reference of the same checkpoint at hand, both models
 * read the sample text (teacher-forced, one pass) and the staged model's top-1 token must agree
 * with the reference's at least {@code edgellm.validate.minTopOneAgreement} of the positions; the
 * mean KL(reference || staged) and the ratio of the two models' perplexities on the sample (staged
 * / reference, from the log-probability each gives the sample's next token) are reported, so that
 * quantization methods can be compared.
 */
final class QualityCheck implements Check {
  static final String ID = "quality.agreement";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "Top-1 agreement with the fp32 reference";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    Path reference = ctx.request().reference();
    if (reference == null) {
      throw new SkipCheck(
          "no fp32 reference model (set "
              + Properties.VALIDATE_REFERENCE
              + ", or run the export goal in this build)");
    }
    if (!Files.isRegularFile(reference)) {
      if (ctx.request().referenceRequired()) {
        out.error(
            reference.toString(),
            "The reference model " + reference + " does not exist",
            "Run the export goal first, or fix " + Properties.VALIDATE_REFERENCE);
        return;
      }
      throw new SkipCheck("no fp32 reference at " + reference);
    }
    QualityRuns.requireRunnable(ctx);
    Path model = ctx.modelPath();
    if (QualityRuns.sameModel(model, reference)) {
      throw new SkipCheck("the staged model is the reference itself");
    }
    DecoderContract contract = ctx.contract();
    long[] ids = ctx.sampleIds(SampleText.MAX_IDS);
    float[][] candidate;
    float[][] expected;
    try {
      candidate = logits(model, contract, ids);
    } catch (OrtException e) {
      QualityRuns.stagedFailed(ctx, out, e);
      return;
    }
    try {
      expected = logits(reference, contract, ids);
    } catch (OrtException e) {
      out.error(reference.toString(), QualityRuns.referenceFailed(e), QualityRuns.REFERENCE_FIX);
      return;
    }
    if (expected[0].length != candidate[0].length) {
      out.error(
          reference.toString(),
          "The reference has "
              + expected[0].length
              + " logits per token, the staged model "
              + candidate[0].length
              + ": not the same checkpoint",
          QualityRuns.REFERENCE_FIX);
      return;
    }
    int n = Math.min(expected.length, candidate.length);
    int agree = 0;
    double klSum = 0;
    double klMax = 0;
    double nllExpected = 0;
    double nllCandidate = 0;
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && i + 1 < ids.length) {
        int next = (int) ids[i + 1];
        nllExpected -= Logits.logSoftmax(expected[i])[next];
        nllCandidate -= Logits.logSoftmax(candidate[i])[next];
      }
      if (Logits.argmax(expected[i]) == Logits.argmax(candidate[i])) {
        agree++;
      }
      double kl = Logits.kl(expected[i], candidate[i]);
      klSum += kl;
      klMax = Math.max(klMax, kl);
    }
    double agreement = (double) agree / n;
    out.detail("reference", reference.toString());
    out.detail("positions", n);
    out.detail("topOneAgreement", Math.round(agreement * 10000) / 10000.0);
    out.detail("meanKl", klSum / n);
    out.detail("maxKl", klMax);
    double perplexityRatio = n > 1 ? Math.exp((nllCandidate - nllExpected) / (n - 1)) : 1.0;
    out.detail("perplexityRatio", Math.round(perplexityRatio * 10000) / 10000.0);
    double min = ctx.request().minTopOneAgreement();
    out.detail("minTopOneAgreement", min);
    if (agreement < min && QualityRuns.isDemo(ctx)) {
      // The demo checkpoint has random weights: its logits are nearly flat, so 4 bits flip many
      // top-1 tokens. That is not a broken quantization; say so without failing the build.
      out.warn(
          ctx.modelFile(),
          String.format(
              "The DEMO model (random weights) agrees with its fp32 reference at %d of %d"
                  + " positions (%.1f%%), below %.1f%%; expected for random weights, so not an error",
              agree, n, agreement * 100, min * 100),
          "Set " + Properties.CHECKPOINT + " to a trained model; the gate then applies");
    } else if (agreement < min && QualityRuns.examplesApply(ctx)) {
      // The user's own examples are the gate (quality.examples); this figure only informs.
      out.warn(
          ctx.modelFile(),
          String.format(
              "The staged model's top-1 token agrees with the fp32 reference at %d of %d positions"
                  + " (%.1f%%) of the built-in sample text, below %.1f%%; not an error: the"
                  + " examples gate (%s) decides",
              agree, n, agreement * 100, min * 100, ExamplesCheck.ID),
          "See quality.examples");
    } else if (agreement < min) {
      out.error(
          ctx.modelFile(),
          String.format(
              "The staged model's top-1 token agrees with the fp32 reference at %d of %d positions"
                  + " (%.1f%%), below "
                  + Properties.VALIDATE_MIN_TOP_ONE_AGREEMENT
                  + " %.1f%% (mean KL %.4f nats)",
              agree,
              n,
              agreement * 100,
              min * 100,
              klSum / n),
          "Quantize with smaller blocks ("
              + Properties.QUANTIZE_BLOCK_SIZE
              + "=16 or 32), keep sensitive layers in float ("
              + Properties.QUANTIZE_EXCLUDE_NODES
              + "), or lower the threshold");
    }
  }

  private static float[][] logits(Path model, DecoderContract contract, long[] ids)
      throws OrtException {
    try (DecoderSession session = new DecoderSession(model, contract);
        DecoderSession.Cache empty = session.emptyCache()) {
      DecoderSession.Step step = session.forward(ids, empty);
      step.cache().close();
      return step.logits();
    }
  }
}
