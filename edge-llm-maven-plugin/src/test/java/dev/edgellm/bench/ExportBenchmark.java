package dev.edgellm.bench;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.ExportResult;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.QuantizeMethod;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark (not a test): exports a random checkpoint with Gemma 3 270M's real config (bf16, about
 * 536 MB) and prints time around read + build + write, heap use and file size. Run from the plugin
 * module after {@code test-compile}:
 *
 * <pre>
 * ../mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx1g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.edgellm.bench.ExportBenchmark [q4|fp32] [shared|fp32] [workdir]
 * </pre>
 *
 * The checkpoint is generated once into {@code workdir/gemma-3-270m-random} (default {@code
 * ../bench-out}).
 */
public final class ExportBenchmark {
  private ExportBenchmark() {}

  public static void main(String[] args) throws Exception {
    Precision precision = Precision.parse(args.length > 0 ? args[0] : "q4");
    Embeddings embeddings = Embeddings.parse(args.length > 1 ? args[1] : "shared");
    Path work = Path.of(args.length > 2 ? args[2] : "../bench-out");
    QuantizeMethod method =
        args.length > 3 ? QuantizeMethod.parse(args[3]) : QuantizeMethod.DEFAULT;
    Keep keep = args.length > 4 ? Keep.parse(args[4]) : Keep.AUTO;
    Path ckpt = work.resolve("gemma-3-270m-random");
    if (!Files.exists(ckpt.resolve("model.safetensors"))) {
      long t = System.nanoTime();
      RandomCheckpoint.writeGemma3(
          Path.of("src/test/resources/configs/gemma-3-270m-v4.json"), ckpt, 42);
      System.out.printf(
          Locale.ROOT,
          "generated %s (%.1f MB) in %.1f s (not counted)%n",
          ckpt,
          Files.size(ckpt.resolve("model.safetensors")) / 1e6,
          (System.nanoTime() - t) / 1e9);
    }
    Path out = work.resolve("model-" + precision.name().toLowerCase(Locale.ROOT));
    for (int run = 1; run <= 2; run++) {
      Measured<ExportResult> m =
          Measured.run(
              () ->
                  new Exporter(dev.edgellm.util.Reporter.silent())
                      .export(
                          new ExportRequest(ckpt, out, precision, embeddings)
                              .withMethod(method)
                              .withKeep(keep)));
      System.out.printf(
          Locale.ROOT,
          "run %d: %s (embeddings %s, method %s, keep %s) export of %.1f MB bf16 checkpoint: %.2f s"
              + " (read + build + write; process CPU %.2f s), file %,d bytes, peak heap %.0f MB"
              + " (-Xmx %.0f MB), %d cores, load average %.2f%n",
          run,
          precision,
          embeddings,
          method.id(),
          keep.id(),
          Files.size(ckpt.resolve("model.safetensors")) / 1e6,
          m.wallSeconds(),
          m.cpuSeconds(),
          m.result().bytes(),
          m.peakHeapMb(),
          Runtime.getRuntime().maxMemory() / 1e6,
          Runtime.getRuntime().availableProcessors(),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
