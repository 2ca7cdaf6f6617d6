package dev.edgellm.export;

import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (not a test): the quantization methods and keep settings on the trained fixtures,
 * through the real pipeline and ONNX Runtime. Prints one table row per setting and path: file size
 * (and its ratio to today's rtn/none output of the same path), the tool loop of tiny-functiongemma
 * (calls and answers reproduced out of 44), and against the fp32 export on validate's sample text
 * the top-1 agreement, mean KL and perplexity ratio of tinystories-656k, and the time of the export
 * or quantize. Usage: {@code QualityBenchmark FIXTURES_MODELS WORKDIR}.
 */
public final class QualityBenchmark {
  private QualityBenchmark() {}

  /**
   * The rows: method and keep; the first is today's onnxruntime-identical q4, the size reference.
   */
  private static final String[][] CONFIGS = {
    {"rtn", "none"}, {"search", "none"}, {"rtn", "auto"}, {"search", "auto"}
  };

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args.length > 0 ? args[0] : "../../shared/fixtures/models");
    Path work = Path.of(args.length > 1 ? args[1] : "target/quality-bench");
    Path fg = models.resolve("tiny-functiongemma");
    Path ts = models.resolve("tinystories-656k");
    System.out.println(
        "| model | path | method | keep | size (bytes) | size ratio | tool loop | top-1 | mean KL"
            + " (nats) | ppl ratio | time (s) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    Map<String, Long> reference = new HashMap<>();
    for (String[] c : CONFIGS) {
      QuantizeMethod m = QuantizeMethod.parse(c[0]);
      Keep keep = Keep.parse(c[1]);
      String name = c[0] + "-" + c[1];
      if (Files.isDirectory(fg)) {
        long[] ids = Agreement.sampleIds(fg);
        Path fp32 = export(fg, work.resolve("fg-fp32"), Precision.FP32, m);
        float[][] ref = Agreement.logits(fp32, ids);
        Timed q4 = exportQ4(fg, work.resolve("fg-q4-" + name), m, keep);
        row("tiny-functiongemma", "export q4", c, q4, reference, fg, ref, ids);
        Timed qz = quantize(fp32, work.resolve("fg-quant-" + name), m, keep);
        row("tiny-functiongemma", "export fp32 + quantize", c, qz, reference, fg, ref, ids);
      }
      if (Files.isDirectory(ts)) {
        long[] ids = Agreement.sampleIds(ts);
        Path fp32 = export(ts, work.resolve("ts-fp32"), Precision.FP32, m);
        float[][] ref = Agreement.logits(fp32, ids);
        Timed q4 = exportQ4(ts, work.resolve("ts-q4-" + name), m, keep);
        row("tinystories-656k", "export q4", c, q4, reference, null, ref, ids);
        Timed qz = quantize(fp32, work.resolve("ts-quant-" + name), m, keep);
        row("tinystories-656k", "export fp32 + quantize", c, qz, reference, null, ref, ids);
      }
    }
  }

  record Timed(Path model, double seconds) {}

  private static void row(
      String model,
      String path,
      String[] config,
      Timed t,
      Map<String, Long> reference,
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
    long size = Files.size(t.model());
    long first = reference.computeIfAbsent(model + "/" + path, k -> size);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | %,d | %.3f | %s | %s | %.2f |%n",
        model,
        path,
        config[0],
        config[1],
        size,
        (double) size / first,
        loop,
        agreement,
        t.seconds());
  }

  private static Path export(Path ckpt, Path out, Precision p, QuantizeMethod m) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(ckpt, out, p, Embeddings.FP32).withMethod(m))
        .model();
  }

  private static Timed exportQ4(Path ckpt, Path out, QuantizeMethod m, Keep keep) {
    long t0 = System.nanoTime();
    Path model =
        new Exporter(Reporter.silent())
            .export(
                new ExportRequest(ckpt, out, Precision.Q4, Embeddings.SHARED)
                    .withMethod(m)
                    .withKeep(keep))
            .model();
    return new Timed(model, (System.nanoTime() - t0) / 1e9);
  }

  private static Timed quantize(Path fp32, Path dir, QuantizeMethod m, Keep keep) throws Exception {
    Files.createDirectories(dir);
    Path out = dir.resolve("model.onnx");
    long t0 = System.nanoTime();
    ModelQuantizer.run(
        QuantizeRequest.of(fp32, out).withMethod(m).withKeep(keep), Reporter.silent());
    return new Timed(out, (System.nanoTime() - t0) / 1e9);
  }
}
