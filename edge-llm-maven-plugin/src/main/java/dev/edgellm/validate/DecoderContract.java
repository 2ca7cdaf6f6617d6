package dev.edgellm.validate;

import java.util.List;

/**
 * A decoder's inputs and outputs as Transformers.js 4.x feeds and reads them: {@code input_ids},
 * {@code attention_mask}, optional {@code position_ids}, {@code past_key_values.N.key/value} in,
 * {@code logits} and {@code present.N.key/value} out, the cache shaped {@code [batch_size, kvHeads,
 * past_sequence_length, headDim]}.
 *
 * @param kvElemType ONNX element type of the cache (1 = float, 10 = float16)
 * @param logitsElemType ONNX element type of the logits
 */
public record DecoderContract(
    boolean positionIds,
    boolean numLogitsToKeep,
    boolean useCacheBranch,
    int layers,
    int kvHeads,
    int headDim,
    int vocab,
    int kvElemType,
    int logitsElemType) {

  public static String pastKey(int layer) {
    return "past_key_values." + layer + ".key";
  }

  public static String pastValue(int layer) {
    return "past_key_values." + layer + ".value";
  }

  public static String presentKey(int layer) {
    return "present." + layer + ".key";
  }

  public static String presentValue(int layer) {
    return "present." + layer + ".value";
  }

  /** Past-cache input names in layer order, key before value. */
  public List<String> pastNames() {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < layers; i++) {
      names.add(pastKey(i));
      names.add(pastValue(i));
    }
    return names;
  }
}
