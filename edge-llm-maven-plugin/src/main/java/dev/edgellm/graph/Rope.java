package dev.edgellm.graph;

import dev.edgellm.checkpoint.RopeParameters;

/**
 * Rotary inverse frequencies, computed in float32 step by step as transformers computes them (so
 * the exported model's cos/sin match the reference to the last bit or two).
 */
public final class Rope {
  private Rope() {}

  /**
   * {@code inv_freq[i] = 1 / theta^(2i / dim)} for i in [0, dim/2), with the scaling of {@code p}
   * applied.
   */
  public static float[] invFreq(RopeParameters p, int dim) {
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / (float) dim;
      float pow = (float) Math.pow((float) p.theta(), exponent);
      inv[i] = 1.0f / pow;
    }
    switch (p.type()) {
      case "default" -> {
        return inv;
      }
      case "linear" -> {
        float f = (float) p.factor();
        for (int i = 0; i < inv.length; i++) {
          inv[i] = inv[i] / f;
        }
        return inv;
      }
      case "llama3" -> {
        return llama3(inv, p);
      }
      case "longrope" -> {
        return longrope(p, dim, false);
      }
      default -> throw new IllegalArgumentException("unsupported rope type " + p.type());
    }
  }

  /**
   * LongRoPE's inverse frequencies, as transformers' {@code _compute_longrope_parameters}: {@code 1
   * / (ext[i] * theta^(2i / dim))} in float32, with {@code ext} the short factors up to {@code
   * original_max_position_embeddings} and the long factors beyond.
   */
  public static float[] longrope(RopeParameters p, int dim, boolean beyondOriginal) {
    java.util.List<Double> ext = beyondOriginal ? p.longFactor() : p.shortFactor();
    if (ext.size() != dim / 2) {
      throw new dev.edgellm.checkpoint.CheckpointException(
          "longrope "
              + (beyondOriginal ? "long_factor" : "short_factor")
              + " has "
              + ext.size()
              + " values but the rotary dimension "
              + dim
              + " needs "
              + dim / 2
              + "; fix rope_parameters (rope_scaling) in config.json");
    }
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / (float) dim;
      float pow = (float) Math.pow((float) p.theta(), exponent);
      inv[i] = 1.0f / (ext.get(i).floatValue() * pow);
    }
    return inv;
  }

  /**
   * The factor on cos and sin: 1, except for longrope, where it is {@code attention_factor} or by
   * default {@code sqrt(1 + ln(factor) / ln(original_max_position_embeddings))} (1 when factor <=
   * 1).
   */
  public static float attentionFactor(RopeParameters p) {
    if (!p.type().equals("longrope")) {
      return 1f;
    }
    if (p.attentionFactor() > 0) {
      return (float) p.attentionFactor();
    }
    if (p.factor() <= 1.0) {
      return 1f;
    }
    return (float)
        Math.sqrt(1 + Math.log(p.factor()) / Math.log(p.originalMaxPositionEmbeddings()));
  }

  private static float[] llama3(float[] inv, RopeParameters p) {
    // transformers' _compute_llama3_parameters, in float32 like torch (python scalars become
    // float32)
    float factor = (float) p.factor();
    float low = (float) p.lowFreqFactor();
    float high = (float) p.highFreqFactor();
    float oldLen = (float) p.originalMaxPositionEmbeddings();
    float lowFreqWavelen = (float) (p.originalMaxPositionEmbeddings() / p.lowFreqFactor());
    float highFreqWavelen = (float) (p.originalMaxPositionEmbeddings() / p.highFreqFactor());
    float twoPi = (float) (2 * Math.PI);
    float[] out = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      float wavelen = twoPi / inv[i];
      float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
      boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (medium) {
        float smooth = (oldLen / wavelen - low) / (high - low);
        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
      }
      out[i] = scaled;
    }
    return out;
  }
}
