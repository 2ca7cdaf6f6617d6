package dev.edgellm.quantize;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ModelQuantizer#run} did.
 *
 * @param output the written model
 * @param inputBytes size of the input (model file plus external data)
 * @param outputBytes size of the written model
 * @param tensorsQuantized weights replaced by 4-bit ones
 * @param tensorsLeft initializers left as they were
 * @param seconds wall time of read + quantize + write
 */
public record QuantizeResult(
    Path output,
    long inputBytes,
    long outputBytes,
    int tensorsQuantized,
    int tensorsLeft,
    double seconds,
    List<Path> files) {
  /** A result whose only file is {@code output} (one embedded model). */
  public QuantizeResult(
      Path output,
      long inputBytes,
      long outputBytes,
      int tensorsQuantized,
      int tensorsLeft,
      double seconds) {
    this(output, inputBytes, outputBytes, tensorsQuantized, tensorsLeft, seconds, List.of(output));
  }
}
