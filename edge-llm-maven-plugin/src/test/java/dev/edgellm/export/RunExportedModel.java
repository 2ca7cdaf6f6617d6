package dev.edgellm.export;

import dev.edgellm.validate.OrtDecoder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Manual check (not a test): runs an exported decoder with ONNX Runtime, a prefill of {@code n}
 * tokens then a few cached steps, and prints the timing and the greedy tokens. Usage: {@code java
 * -cp ... dev.edgellm.export.RunExportedModel model.onnx [prompt length]}. ONNX Runtime 1.29 needs
 * a larger main-thread stack than the launcher's default here: pass {@code -Xss8m} (without it the
 * JVM dies in {@code OrtEnvironment.getEnvironment()}).
 */
public final class RunExportedModel {
  private RunExportedModel() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 600;
    try (OrtDecoder d = new OrtDecoder(Path.of(args[0]))) {
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = 2 + (i * 7919L) % (d.vocab() - 2);
      }
      long t0 = System.nanoTime();
      float[][] logits = d.step(ids);
      long t1 = System.nanoTime();
      StringBuilder tokens = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        int next = OrtDecoder.argmax(logits[logits.length - 1]);
        tokens.append(next).append(' ');
        logits = d.step(new long[] {next});
      }
      long t2 = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "prefill %d tokens: %.2f s; 8 cached steps: %.3f s each; greedy %s%n",
          n,
          (t1 - t0) / 1e9,
          (t2 - t1) / 8e9,
          tokens);
    }
  }
}
