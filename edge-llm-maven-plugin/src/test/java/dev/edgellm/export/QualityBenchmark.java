package dev.edgellm.export;

import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark (not a test): every quantization method on the trained fixtures, through the real
 * pipeline and ONNX Runtime. Prints one table row per method and path: file size, the tool loop of
 * tiny-functiongemma (calls and answers reproduced out of 44), and against the fp32 export on
 * validate's sample text the top-1 agreement, mean KL and perplexity ratio of tinystories-656k, and
 * the time of the export or quantize. Usage: {@code QualityBenchmark FIXTURES_MODELS WORKDIR}.
 */
public final class QualityBenchmark {
  private QualityBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args.length > 0 ? args[0] : "../../shared/fixtures/models");
    Path work = Path.of(args.length > 1 ? args[1] : "target/quality-bench");
    Path fg = models.resolve("tiny-functiongemma");
    Path ts = models.resolve("tinystories-656k");
    System.out.println(
        "| model | path | method | size (bytes) | tool loop | top-1 | mean KL (nats) | ppl ratio | time (s) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (boolean symmetric : new boolean[] {true, false}) {
      for (QuantizeMethod m : QuantizeMethod.values()) {
        String name = m.id() + (symmetric ? "" : " asym");
        if (Files.isDirectory(fg)) {
          Path fp32 = export(fg, work.resolve("fg-fp32"), Precision.FP32, m);
          Timed q4 = symmetric ? exportQ4(fg, work.resolve("fg-q4-" + m.id()), m) : null;
          if (q4 != null) {
            row("tiny-functiongemma", "export q4 (shared embedding)", name, q4, fg, null, null);
          }
          Timed qz =
              quantize(fp32, work.resolve("fg-quant-" + name.replace(' ', '-')), m, symmetric);
          row("tiny-functiongemma", "export fp32 + quantize", name, qz, fg, null, null);
        }
        if (Files.isDirectory(ts)) {
          long[] ids = Agreement.sampleIds(ts);
          Path fp32 = export(ts, work.resolve("ts-fp32"), Precision.FP32, m);
          float[][] ref = Agreement.logits(fp32, ids);
          if (symmetric) {
            Timed q4 = exportQ4(ts, work.resolve("ts-q4-" + m.id()), m);
            row("tinystories-656k", "export q4 (shared embedding)", name, q4, null, ref, ids);
          }
          Timed qz =
              quantize(fp32, work.resolve("ts-quant-" + name.replace(' ', '-')), m, symmetric);
          row("tinystories-656k", "export fp32 + quantize", name, qz, null, ref, ids);
        }
      }
    }
  }

  record Timed(Path model, double seconds) {}

  private static void row(
      String model,
      String path,
      String method,
      Timed t,
      Path toolFixture,
      float[][] ref,
      long[] ids)
      throws Exception {
    String loop = "";
    String agreement = " | | ";
    if (toolFixture != null) {
      ToolLoop.Result r = ToolLoop.run(t.model(), toolFixture);
      loop = r.calls() + "/" + r.total() + " calls, " + r.answers() + "/" + r.total() + " answers";
    }
    if (ref != null) {
      Agreement a = Agreement.of(ref, Agreement.logits(t.model(), ids), ids);
      agreement =
          String.format(
              Locale.ROOT, "%.4f | %.4f | %.4f", a.topOne(), a.meanKl(), a.perplexityRatio());
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %,d | %s | %s | %.2f |%n",
        model,
        path,
        method,
        Files.size(t.model()),
        loop,
        agreement,
        t.seconds());
  }

  private static Path export(Path ckpt, Path out, Precision p, QuantizeMethod m) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(ckpt, out, p, Embeddings.FP32).withMethod(m))
        .model();
  }

  private static Timed exportQ4(Path ckpt, Path out, QuantizeMethod m) {
    long t0 = System.nanoTime();
    Path model =
        new Exporter(Reporter.silent())
            .export(new ExportRequest(ckpt, out, Precision.Q4, Embeddings.SHARED).withMethod(m))
            .model();
    return new Timed(model, (System.nanoTime() - t0) / 1e9);
  }

  private static Timed quantize(Path fp32, Path dir, QuantizeMethod m, boolean symmetric)
      throws Exception {
    Files.createDirectories(dir);
    Path out = dir.resolve("model.onnx");
    long t0 = System.nanoTime();
    ModelQuantizer.run(
        QuantizeRequest.of(fp32, out).withMethod(m).withSymmetric(symmetric), Reporter.silent());
    return new Timed(out, (System.nanoTime() - t0) / 1e9);
  }
}
