package dev.edgellm.adapter;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.maven.Properties;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Matches an adapter's tensors to the base checkpoint's weights: each must name a weight the base
 * has, with the shape and dtype it needs; otherwise an {@link AdapterException} names the key, the
 * weight and the fix.
 */
final class BaseMatch {
  private final Checkpoint base;
  private final Path weights;
  private final AdapterLayout layout;
  private final String baseHint;

  /**
   * @param baseModel the base model the adapter's config names ({@code base_model_name_or_path},
   *     {@code model}), or empty
   */
  BaseMatch(Checkpoint base, Path weights, AdapterLayout layout, String baseModel) {
    this.base = base;
    this.weights = weights;
    this.layout = layout;
    this.baseHint = baseModel.isEmpty() ? "" : " (adapter_config.json names '" + baseModel + "')";
  }

  /** The base weight {@code key} (a tensor of module {@code m}) adapts: a 2-D linear weight. */
  TensorInfo weightFor(LoraModule m, TensorInfo key) {
    String target = m.name + ".weight";
    TensorInfo w = base.tensors().get(target);
    if (w == null) {
      throw new AdapterException(
          weights
              + ": '"
              + key.name()
              + "' adapts '"
              + target
              + "', which "
              + base.dir()
              + " does not have; the adapter does not fit this base model: set "
              + Properties.CHECKPOINT
              + " to the base model it was trained on"
              + baseHint);
    }
    if (w.shape().length != 2) {
      throw new AdapterException(
          weights
              + ": '"
              + key.name()
              + "' adapts '"
              + target
              + "' "
              + w.shapeText()
              + ", which is not a 2-D weight; only linear layers can take LoRA");
    }
    return w;
  }

  /** Checks that adapter tensor {@code t}, used on base weight {@code w}, has {@code shape}. */
  void checkShape(TensorInfo t, TensorInfo w, long... shape) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw new AdapterException(
          weights
              + ": '"
              + t.name()
              + "' is "
              + t.shapeText()
              + " but base weight '"
              + w.name()
              + "' "
              + w.shapeText()
              + " needs "
              + Arrays.toString(shape)
              + otherModel());
    }
    checkFloat(t, t.name(), "save the adapter again");
  }

  /**
   * Adapter tensor {@code t} (key {@code key}) as the replacement of base weight {@code target}:
   * same shape, a float dtype.
   */
  TensorInfo replacement(TensorInfo t, String target, String key) {
    TensorInfo w = base.tensors().get(target);
    if (w == null) {
      throw new AdapterException(
          weights
              + ": '"
              + key
              + "' would replace base weight '"
              + target
              + "', which "
              + base.dir()
              + " does not have"
              + otherModel());
    }
    if (!Arrays.equals(w.shape(), t.shape())) {
      throw new AdapterException(
          weights
              + ": '"
              + key
              + "' is "
              + t.shapeText()
              + " but base weight '"
              + target
              + "' is "
              + w.shapeText()
              + otherModel());
    }
    checkFloat(t, key, "save the adapter again unquantized");
    return new TensorInfo(target, t.dtype(), t.shape(), t.begin(), t.end(), t.file());
  }

  /** The end of a shape or name mismatch's message: the cause and the fix. */
  private String otherModel() {
    return "; the adapter was trained on another model: set "
        + Properties.CHECKPOINT
        + " to the base model it was trained on"
        + baseHint;
  }

  /** Checks that adapter tensor {@code t}, written as {@code key}, is F32, F16 or BF16. */
  private void checkFloat(TensorInfo t, String key, String fix) {
    if (!t.dtype().isExportableFloat()) {
      throw new AdapterException(
          weights
              + ": '"
              + key
              + "' has dtype "
              + t.dtype()
              + "; adapter weights must be F32, F16 or BF16: "
              + fix);
    }
  }

  /** A base/adapter architecture mismatch: no LoRA module names a base weight. */
  void checkSomethingMatches(Map<String, LoraModule> modules) {
    if (modules.isEmpty()) {
      return;
    }
    for (String m : modules.keySet()) {
      if (base.tensors().containsKey(m + ".weight")) {
        return;
      }
    }
    LoraModule first = modules.values().iterator().next();
    throw new AdapterException(
        "none of the "
            + modules.size()
            + " modules the adapter "
            + weights
            + " adapts is a"
            + " weight of "
            + base.dir()
            + " (model_type "
            + base.config().modelType()
            + "): '"
            + first.anyKey().name()
            + "' adapts '"
            + first.name
            + ".weight'. The adapter was made for another"
            + " architecture: set "
            + Properties.CHECKPOINT
            + " to the base model it was trained on"
            + baseHint);
  }

  /** A key this layout does not know. */
  AdapterException unknownKey(String key, String expected) {
    return new AdapterException(
        weights
            + ": unknown key '"
            + key
            + "' for a "
            + layout.id()
            + " adapter ("
            + expected
            + "); the folder is not an adapter this tool knows: point "
            + Properties.ADAPTER
            + " at the"
            + " folder your fine-tuning wrote");
  }
}
