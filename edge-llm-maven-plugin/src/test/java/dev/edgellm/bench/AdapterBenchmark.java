package dev.edgellm.bench;

import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Reporter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a test): what merging an adapter costs the export. Exports the random bf16
 * checkpoint with Gemma 3 270M's real config (as {@link ExportBenchmark}) to q4 with and without a
 * rank-16 PEFT LoRA on all seven projections of all 18 layers (126 weights), alternating, and
 * prints each run's wall and CPU time and peak heap, then the medians, ranges and the merge's
 * overhead in wall and CPU time, with the load average (the machine is shared). Run by {@code
 * ./benchmarks.sh adapter} (-Xmx1g). Arguments: [workdir] [runs per variant].
 */
public final class AdapterBenchmark {
  private AdapterBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "../bench-out");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path ckpt = work.resolve("gemma-3-270m-random");
    if (!Files.exists(ckpt.resolve("model.safetensors"))) {
      RandomCheckpoint.writeGemma3(
          Path.of("src/test/resources/configs/gemma-3-270m-v4.json"), ckpt, 42);
    }
    Path adapter = work.resolve("gemma-3-270m-lora-r16");
    int adapted = writeLora(ckpt, adapter, 16, 32);
    System.out.printf(
        Locale.ROOT,
        "adapter: PEFT LoRA r=16, alpha=32 on %d projections (%.1f MB F32); checkpoint %.1f MB bf16;"
            + " q4 export (embeddings shared), -Xmx %.0f MB, %d cores%n",
        adapted,
        Files.size(adapter.resolve("adapter_model.safetensors")) / 1e6,
        Files.size(ckpt.resolve("model.safetensors")) / 1e6,
        Runtime.getRuntime().maxMemory() / 1e6,
        Runtime.getRuntime().availableProcessors());
    double load0 = loadAverage();
    // one warm-up of each (JIT), not counted
    run(ckpt, null, work.resolve("out-base"));
    run(ckpt, adapter, work.resolve("out-adapter"));
    double[] base = new double[runs];
    double[] merged = new double[runs];
    double[] cpuBase = new double[runs];
    double[] cpuMerged = new double[runs];
    double peakBase = 0;
    double peakMerged = 0;
    for (int i = 0; i < runs; i++) {
      double[] b = run(ckpt, null, work.resolve("out-base"));
      double[] m = run(ckpt, adapter, work.resolve("out-adapter"));
      base[i] = b[0];
      merged[i] = m[0];
      cpuBase[i] = b[2];
      cpuMerged[i] = m[2];
      peakBase = Math.max(peakBase, b[1]);
      peakMerged = Math.max(peakMerged, m[1]);
      System.out.printf(
          Locale.ROOT,
          "run %d: base %.2f s wall, %.2f s CPU (peak heap %.0f MB); base + adapter %.2f s wall,"
              + " %.2f s CPU (peak heap %.0f MB)%n",
          i + 1,
          b[0],
          b[2],
          b[1],
          m[0],
          m[2],
          m[1]);
    }
    System.out.printf(
        Locale.ROOT,
        "base:           wall %s, CPU %s%n"
            + "base + adapter: wall %s, CPU %s%n"
            + "the merge adds %.1f%% to the export's wall time and %.1f%% to its CPU time (medians"
            + " of %d); peak heap %.0f MB vs %.0f MB (-Xmx %.0f MB); load average %.2f before,"
            + " %.2f after (%d cores)%n",
        spread(base),
        spread(cpuBase),
        spread(merged),
        spread(cpuMerged),
        100 * (median(merged) - median(base)) / median(base),
        100 * (median(cpuMerged) - median(cpuBase)) / median(cpuBase),
        runs,
        peakBase,
        peakMerged,
        Runtime.getRuntime().maxMemory() / 1e6,
        load0,
        loadAverage(),
        Runtime.getRuntime().availableProcessors());
  }

  /** The median and range of {@code v}, in seconds. */
  private static String spread(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return String.format(
        Locale.ROOT, "median %.2f s (%.2f-%.2f)", median(v), s[0], s[s.length - 1]);
  }

  /** The system's one-minute load average (how busy the shared machine was). */
  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Wall seconds, peak heap (MB) and process CPU seconds of one q4 export. */
  private static double[] run(Path ckpt, Path adapter, Path out) throws Exception {
    Measured<?> m =
        Measured.run(
            () ->
                new Exporter(Reporter.silent())
                    .export(
                        new ExportRequest(ckpt, out, Precision.Q4, Embeddings.SHARED, adapter)));
    return new double[] {m.wallSeconds(), m.peakHeapMb(), m.cpuSeconds()};
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** A random PEFT LoRA over every q/k/v/o/gate/up/down projection of {@code ckpt}. */
  static int writeLora(Path ckpt, Path dir, int r, int alpha) throws Exception {
    Files.createDirectories(dir);
    List<String> targets =
        List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    SafetensorsWriter w = new SafetensorsWriter();
    Random rnd = new Random(7);
    int n = 0;
    try (SafetensorsFile f = SafetensorsFile.open(ckpt.resolve("model.safetensors"))) {
      List<TensorInfo> all = new ArrayList<>(f.tensors().values());
      for (TensorInfo t : all) {
        String name = t.name();
        if (!name.endsWith(".weight")
            || targets.stream().noneMatch(p -> name.endsWith("." + p + ".weight"))) {
          continue;
        }
        String module = "base_model.model." + name.substring(0, name.length() - 7);
        long out = t.shape()[0];
        long in = t.shape()[1];
        w.put(module + ".lora_A.weight", "F32", new long[] {r, in}, random(rnd, r * in, 0.02f));
        w.put(module + ".lora_B.weight", "F32", new long[] {out, r}, random(rnd, out * r, 0.02f));
        n++;
      }
    }
    Path file = dir.resolve("adapter_model.safetensors");
    if (!Files.exists(file)) {
      w.write(file);
      Files.writeString(
          dir.resolve("adapter_config.json"),
          "{\"peft_type\": \"LORA\", \"r\": "
              + r
              + ", \"lora_alpha\": "
              + alpha
              + ", \"use_rslora\": false, \"target_modules\": [\"q_proj\", \"k_proj\", \"v_proj\","
              + " \"o_proj\", \"gate_proj\", \"up_proj\", \"down_proj\"], \"fan_in_fan_out\":"
              + " false, \"layers_to_transform\": null}\n");
    }
    return n;
  }

  private static byte[] random(Random rnd, long n, float std) {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < n; i++) {
      b.putFloat((float) rnd.nextGaussian() * std);
    }
    return b.array();
  }
}
