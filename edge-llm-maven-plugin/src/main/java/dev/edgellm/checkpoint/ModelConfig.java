package dev.edgellm.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's {@code config.json}, normalised from the transformers v4 and v5 formats into one
 * immutable value. Optional numbers are {@code null} when the config does not set them.
 *
 * @param file the config.json read
 * @param modelType e.g. {@code gemma3_text}, {@code llama}
 * @param headDim per-head size ({@code head_dim}, else hidden / heads)
 * @param layerTypes per layer: {@code full_attention} or {@code sliding_attention}
 * @param slidingWindow keys a sliding-attention query sees, itself included; 0 when no layer slides
 * @param rope rotary settings per attention type (keys as in {@code layerTypes})
 * @param dtype the stored dtype ({@code dtype} in v5, {@code torch_dtype} in v4), may be null
 */
public record ModelConfig(
    Path file,
    String modelType,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    double rmsNormEps,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings,
    List<String> layerTypes,
    int slidingWindow,
    Map<String, RopeParameters> rope,
    Double queryPreAttnScalar,
    Double attnLogitSoftcapping,
    Double finalLogitSoftcapping,
    String hiddenActivation,
    boolean attentionBias,
    boolean mlpBias,
    String dtype) {

  public static final String FULL = "full_attention";
  public static final String SLIDING = "sliding_attention";

  public ModelConfig {
    layerTypes = List.copyOf(layerTypes);
    rope = Map.copyOf(rope);
  }

  /** "N layers, hidden H" for messages. */
  public String numHiddenLayersText() {
    return numLayers + " layers, hidden_size " + hiddenSize;
  }

  /** Whether layer {@code i} uses sliding-window attention. */
  public boolean isSliding(int layer) {
    return SLIDING.equals(layerTypes.get(layer));
  }

  /** The rotary settings of layer {@code i}. */
  public RopeParameters ropeOf(int layer) {
    return rope.get(layerTypes.get(layer));
  }
}
