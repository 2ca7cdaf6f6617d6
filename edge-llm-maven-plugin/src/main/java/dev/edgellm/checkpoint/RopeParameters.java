package dev.edgellm.checkpoint;

/**
 * Rotary position embedding settings of one attention type, as transformers v5 writes them under
 * {@code rope_parameters} (v4's {@code rope_theta}/{@code rope_scaling} are normalised to this).
 *
 * @param type {@code default}, {@code linear} or {@code llama3}
 * @param theta the base
 * @param factor scaling factor ({@code linear}, {@code llama3}); 1 otherwise
 * @param lowFreqFactor {@code llama3} only
 * @param highFreqFactor {@code llama3} only
 * @param originalMaxPositionEmbeddings {@code llama3} only
 */
public record RopeParameters(
    String type,
    double theta,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    double originalMaxPositionEmbeddings) {

  public static RopeParameters defaults(double theta) {
    return new RopeParameters("default", theta, 1, 0, 0, 0);
  }
}
