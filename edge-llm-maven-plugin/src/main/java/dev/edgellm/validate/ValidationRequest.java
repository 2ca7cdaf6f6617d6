package dev.edgellm.validate;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to validate and how.
 *
 * @param directory the staged folder (config.json, tokenizer files, onnx/model*.onnx)
 * @param reference an fp32 ONNX model of the same checkpoint for the quality gate, or {@code null}
 * @param referenceRequired fail (instead of skipping the quality gate) when {@code reference} does not exist
 * @param minTopOneAgreement the quality gate's threshold, 0..1
 * @param greedySteps greedy decoding steps through the KV cache in the real run
 * @param allowCpuFallback report ops without a WebGPU kernel as warnings instead of errors
 * @param strict report warnings as errors
 * @param reportDirectory where validation.json and validation.html go, or {@code null} to write none
 */
public record ValidationRequest(
    Path directory,
    Path reference,
    boolean referenceRequired,
    double minTopOneAgreement,
    int greedySteps,
    boolean allowCpuFallback,
    boolean strict,
    Path reportDirectory) {

  public ValidationRequest {
    Objects.requireNonNull(directory, "directory");
    if (!(minTopOneAgreement >= 0 && minTopOneAgreement <= 1)) {
      throw new IllegalArgumentException("minTopOneAgreement must be between 0 and 1, not " + minTopOneAgreement);
    }
    if (greedySteps < 1) {
      throw new IllegalArgumentException("greedySteps must be at least 1, not " + greedySteps);
    }
  }

  /** Defaults: no reference, agreement 0.9, 8 steps, CPU fallback is an error, no report files. */
  public static ValidationRequest of(Path directory) {
    return new ValidationRequest(directory, null, false, 0.9, 8, false, false, null);
  }

  public ValidationRequest withReference(Path reference, boolean required) {
    return new ValidationRequest(
        directory, reference, required, minTopOneAgreement, greedySteps, allowCpuFallback, strict, reportDirectory);
  }

  public ValidationRequest withReportDirectory(Path reportDirectory) {
    return new ValidationRequest(
        directory, reference, referenceRequired, minTopOneAgreement, greedySteps, allowCpuFallback, strict, reportDirectory);
  }

  public ValidationRequest withMinTopOneAgreement(double value) {
    return new ValidationRequest(
        directory, reference, referenceRequired, value, greedySteps, allowCpuFallback, strict, reportDirectory);
  }
}
