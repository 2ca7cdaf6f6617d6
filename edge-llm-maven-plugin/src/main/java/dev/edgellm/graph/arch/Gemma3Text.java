package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.checkpoint.RopeParameters;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp16Policy;

/**
 * Gemma 3 text decoders (gemma-3-270m, functiongemma-270m-it, gemma-3-1b): Gemma 2's layout plus
 * q/k norms, sliding layers with their own rope base ({@code rope_local_base_freq} in v4 configs),
 * one full layer every {@code sliding_window_pattern}.
 */
public final class Gemma3Text implements Architecture {
  @Override
  public String modelType() {
    return "gemma3_text";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    DecoderSpec.Builder b = Gemma2.gemma(c).qkNorm();
    int pattern = c.integer("sliding_window_pattern", c.integer("_sliding_window_pattern", 0));
    if (pattern < 0
        || pattern == 0
            && (c.json("sliding_window_pattern") != null
                || c.json("_sliding_window_pattern") != null)) {
      throw new CheckpointException(
          c.file()
              + ": sliding_window_pattern is "
              + pattern
              + "; it must be at least 1 (every Nth layer is full attention): fix it in"
              + " config.json");
    }
    b.layerTypes(Architectures.slidingPattern(c, pattern));
    Double local = c.positiveNumber("rope_local_base_freq");
    if (local != null && !c.rope().containsKey(ModelConfig.SLIDING)) {
      b.rope(ModelConfig.SLIDING, RopeParameters.defaults(local));
    }
    return b.build();
  }

  /**
   * Gemma's residual stream grows past float16's range (onnxruntime issue 26732: Gemma 3 270M q4f16
   * gives garbage on WebGPU), so its norms and residual stay float32.
   */
  @Override
  public Fp16Policy fp16Policy() {
    return Fp16Policy.FP32_NORMS_AND_RESIDUAL;
  }
}
