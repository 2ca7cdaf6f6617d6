package dev.edgellm.export;

import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference outputs of one fixture model: per prompt, ids, logits [S, vocab] and greedy ids.
 */
record Golden(List<Prompt> prompts) {
  record Prompt(long[] ids, float[][] logits, long[] greedy) {
    /** Standard deviation of all logits. */
    double std() {
      double sum = 0;
      double sq = 0;
      long n = 0;
      for (float[] row : logits) {
        for (float v : row) {
          sum += v;
          sq += (double) v * v;
          n++;
        }
      }
      double mean = sum / n;
      return Math.sqrt(sq / n - mean * mean);
    }

    /** max |a - golden| / std over rows [from, from + a.length). */
    double relDiff(float[][] a, int from) {
      double max = 0;
      for (int r = 0; r < a.length; r++) {
        for (int v = 0; v < a[r].length; v++) {
          max = Math.max(max, Math.abs(a[r][v] - logits[from + r][v]));
        }
      }
      return max / std();
    }
  }

  static Golden read(Path dir) {
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
      List<Prompt> out = new ArrayList<>();
      for (int i = 0; f.tensors().containsKey("prompt" + i + ".input_ids"); i++) {
        long[] ids = f.readLongs(f.tensors().get("prompt" + i + ".input_ids"));
        TensorInfo lt = f.tensors().get("prompt" + i + ".logits");
        float[] flat = f.readFloats(lt);
        int s = (int) lt.shape()[0];
        int v = (int) lt.shape()[1];
        float[][] logits = new float[s][v];
        for (int r = 0; r < s; r++) {
          System.arraycopy(flat, r * v, logits[r], 0, v);
        }
        long[] greedy = f.readLongs(f.tensors().get("prompt" + i + ".greedy"));
        out.add(new Prompt(ids, logits, greedy));
      }
      return new Golden(out);
    }
  }
}
