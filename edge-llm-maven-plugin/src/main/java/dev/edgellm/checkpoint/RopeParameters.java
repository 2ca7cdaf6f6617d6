package dev.edgellm.checkpoint;

import java.util.List;

/**
 * Rotary position embedding settings of one attention type, as transformers v5 writes them under
 * {@code rope_parameters} (v4's {@code rope_theta}/{@code rope_scaling} are normalised to this).
 *
 * @param type {@code default}, {@code linear}, {@code llama3} or {@code longrope}
 * @param theta the base
 * @param factor scaling factor ({@code linear}, {@code llama3}, {@code longrope}); 1 otherwise
 * @param lowFreqFactor {@code llama3} only
 * @param highFreqFactor {@code llama3} only
 * @param originalMaxPositionEmbeddings {@code llama3} and {@code longrope}; 0 otherwise
 * @param shortFactor {@code longrope}: per-frequency divisors up to the original length
 * @param longFactor {@code longrope}: per-frequency divisors beyond it
 * @param attentionFactor {@code longrope}: the cos/sin scale; 0 when the config leaves it to the
 *     default {@code sqrt(1 + ln(factor) / ln(original_max_position_embeddings))}
 * @param partialRotaryFactor the fraction of each head rotated (1 = all of it)
 */
public record RopeParameters(
    String type,
    double theta,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    double originalMaxPositionEmbeddings,
    List<Double> shortFactor,
    List<Double> longFactor,
    double attentionFactor,
    double partialRotaryFactor) {

  public RopeParameters {
    shortFactor = List.copyOf(shortFactor);
    longFactor = List.copyOf(longFactor);
  }

  public static RopeParameters defaults(double theta) {
    return new RopeParameters("default", theta, 1, 0, 0, 0, List.of(), List.of(), 0, 1);
  }

  /** These settings rotating {@code f} of each head. */
  public RopeParameters withPartialRotaryFactor(double f) {
    return new RopeParameters(
        type,
        theta,
        factor,
        lowFreqFactor,
        highFreqFactor,
        originalMaxPositionEmbeddings,
        shortFactor,
        longFactor,
        attentionFactor,
        f);
  }

  /** How many of {@code headDim} channels are rotated, as transformers computes it. */
  public int rotaryDim(int headDim) {
    return (int) (headDim * partialRotaryFactor);
  }
}
