package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's {@code config.json}: the settings every decoder has, normalised from the
 * transformers v4 and v5 formats, plus the raw JSON for the settings only some architectures have
 * (each architecture class in {@code dev.edgellm.graph.arch} reads its own through {@link #number},
 * {@link #integer}, {@link #flag} and {@link #json}).
 *
 * @param file the config.json read
 * @param modelType e.g. {@code gemma3_text}, {@code llama}
 * @param headDim per-head size ({@code head_dim}, else hidden / heads)
 * @param layerTypes {@code layer_types} as written (full_attention or sliding_attention per layer),
 *     empty when the config has none
 * @param slidingWindow {@code sliding_window}, or 0 when unset
 * @param rope rotary settings by attention type ({@link #FULL}, and {@link #SLIDING} when {@code
 *     rope_parameters} gives the sliding layers their own)
 * @param dtype the stored dtype ({@code dtype} in v5, {@code torch_dtype} in v4), may be null
 * @param json the whole config.json
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
    String hiddenActivation,
    boolean attentionBias,
    boolean mlpBias,
    String dtype,
    JsonNode json) {

  public static final String FULL = "full_attention";
  public static final String SLIDING = "sliding_attention";

  public ModelConfig {
    layerTypes = List.copyOf(layerTypes);
    rope = Map.copyOf(rope);
    json = json.deepCopy();
  }

  /** "N layers, hidden H" for messages. */
  public String numHiddenLayersText() {
    return numLayers + " layers, hidden_size " + hiddenSize;
  }

  /** The rotary settings of an attention type, falling back to those of full attention. */
  public RopeParameters rope(String layerType) {
    return rope.getOrDefault(layerType, rope.get(FULL));
  }

  /** A number of config.json, or null when absent or null. */
  public Double number(String key) {
    JsonNode n = json.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw new CheckpointException(file + ": '" + key + "' is not a number; fix config.json");
    }
    return n.asDouble();
  }

  /**
   * A number of config.json that must be finite and above zero when set (a scale, a softcap, a
   * multiplier: zero or negative would put NaN or Inf into the graph), or null when absent.
   */
  public Double positiveNumber(String key) {
    Double v = number(key);
    return v == null ? null : ConfigReader.positive(file, key, v);
  }

  /** An integer of config.json, or {@code dflt} when absent or null. */
  public int integer(String key, int dflt) {
    JsonNode n = json.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.canConvertToInt()) {
      throw new CheckpointException(file + ": '" + key + "' is not an integer; fix config.json");
    }
    return n.asInt();
  }

  /** A boolean of config.json, or {@code dflt} when absent or null. */
  public boolean flag(String key, boolean dflt) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? dflt : n.asBoolean(dflt);
  }

  /** A value of config.json, or null when absent or null. */
  public JsonNode json(String key) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? null : n;
  }
}
