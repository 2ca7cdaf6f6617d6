package dev.edgellm.adapter;

import dev.edgellm.checkpoint.TensorInfo;

/**
 * What a LoRA layout's keys and config say (PEFT's, mlx_lm's); {@link LoraMerge} does the rest, the
 * same for every layout.
 */
interface LoraFormat {
  /**
   * What a key holds: a factor of a module, or (with {@code replaces}) a whole weight that replaces
   * the base's.
   */
  record Key(String module, LoraModule.Part part, String replaces) {
    static Key part(String module, LoraModule.Part part) {
      return new Key(module, part, null);
    }

    static Key replacing(String target) {
      return new Key(null, null, target);
    }
  }

  /**
   * Reads a key of the adapter file.
   *
   * @throws AdapterException for a key this layout does not know
   */
  Key parse(TensorInfo t);

  /**
   * Checks module {@code m} (A and B present) against the config: its layer, its name, its rank.
   *
   * @return its rank
   */
  int rank(LoraModule m);

  /** The scale of module {@code m}'s update. */
  double scale(LoraModule m, int rank);

  /** Whether the factors are stored transposed: mlx_lm's {@code lora_a} [in, r], {@code lora_b}. */
  boolean transposed();

  /** The magnitude's name in errors for DoRA, or null when the layout is not DoRA. */
  String magnitude();

  /** What was merged, for the log. */
  String summary(int modules);

  /** A number as the log shows it: an integer without decimals. */
  static String num(double v) {
    return v == Math.rint(v)
        ? Long.toString((long) v)
        : String.format(java.util.Locale.ROOT, "%.4g", v);
  }
}
