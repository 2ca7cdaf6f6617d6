package dev.edgellm.adapter;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one merge path of every LoRA layout: groups the adapter's keys into modules, checks each
 * against the config ({@link LoraFormat}) and the base ({@link BaseMatch}), and shows each adapted
 * weight as a {@link LowRankMerge} computed when read.
 */
final class LoraMerge {
  private LoraMerge() {}

  /**
   * Adds every module of {@code file} to {@code overlay}.
   *
   * @return the log's summary
   */
  static String apply(
      LoraFormat format,
      Adapter adapter,
      Checkpoint base,
      SafetensorsFile file,
      Checkpoint.Overlay overlay,
      BaseMatch match) {
    Path weights = adapter.weights();
    Map<String, LoraModule> modules = new LinkedHashMap<>();
    for (TensorInfo t : file.tensors().values()) {
      LoraFormat.Key key = format.parse(t);
      if (key.replaces() != null) {
        overlay.replace(match.replacement(t, key.replaces(), t.name()), file);
      } else {
        modules.computeIfAbsent(key.module(), LoraModule::new).set(key.part(), t);
      }
    }
    match.checkSomethingMatches(modules);
    for (LoraModule m : modules.values()) {
      m.requireAB(weights);
      int rank = format.rank(m);
      double scale = format.scale(m, rank);
      TensorInfo w = match.weightFor(m, m.a);
      long out = w.shape()[0];
      long in = w.shape()[1];
      if (format.transposed()) {
        match.checkShape(m.a, w, in, rank);
        match.checkShape(m.b, w, rank, out);
      } else {
        match.checkShape(m.a, w, rank, in);
        match.checkShape(m.b, w, out, rank);
      }
      if (format.magnitude() != null) {
        m.requireMagnitude(weights, format.magnitude(), adapter.layout());
        match.checkShape(m.m, w, out);
      }
      overlay.compute(
          w.name(),
          w.shape(),
          w.file(),
          new LowRankMerge(base, w, file, m, rank, (float) scale, format.transposed()));
    }
    return format.summary(modules.size());
  }
}
