package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What to validate and how.
 *
 * @param directory the staged folder (config.json, tokenizer files, onnx/model*.onnx)
 * @param reference an fp32 ONNX model of the same checkpoint for the quality gate, or {@code null}
 * @param referenceRequired fail (instead of skipping the quality gate) when {@code reference} does
 *     not exist
 * @param minTopOneAgreement the quality gate's threshold, 0..1
 * @param greedySteps greedy decoding steps through the KV cache in the real run
 * @param allowCpuFallback report ops without a WebGPU kernel as warnings instead of errors
 * @param strict report warnings as errors
 * @param reportDirectory where validation.json and validation.html go, or {@code null} to write
 *     none
 * @param maxModelBytes the largest model file accepted (default: protobuf's 2 GiB limit)
 * @param examples the gate on the user's own examples, or {@code null}
 * @param allowWebGpuOnly report ops without a kernel in onnxruntime-web's WASM backend (the app's
 *     fallback when a browser has no WebGPU) as warnings instead of errors
 */
public record ValidationRequest(
    Path directory,
    Path reference,
    boolean referenceRequired,
    double minTopOneAgreement,
    int greedySteps,
    boolean allowCpuFallback,
    boolean strict,
    Path reportDirectory,
    long maxModelBytes,
    ExampleGate examples,
    boolean allowWebGpuOnly) {

  /** The most greedy steps a validation runs (each is a real forward pass). */
  public static final int MAX_GREEDY_STEPS = 4096;

  public ValidationRequest {
    Objects.requireNonNull(directory, "directory");
    requireFraction("minTopOneAgreement", minTopOneAgreement);
    if (greedySteps < 1 || greedySteps > MAX_GREEDY_STEPS) {
      throw new IllegalArgumentException(
          Properties.VALIDATE_GREEDY_STEPS
              + " is "
              + greedySteps
              + "; it must be between 1 and "
              + MAX_GREEDY_STEPS
              + " (8 is the default): set it in that range");
    }
    if (maxModelBytes < 1) {
      throw new IllegalArgumentException("maxModelBytes must be positive, not " + maxModelBytes);
    }
  }

  /** A request without the examples gate. */
  public ValidationRequest(
      Path directory,
      Path reference,
      boolean referenceRequired,
      double minTopOneAgreement,
      int greedySteps,
      boolean allowCpuFallback,
      boolean strict,
      Path reportDirectory,
      long maxModelBytes) {
    this(
        directory,
        reference,
        referenceRequired,
        minTopOneAgreement,
        greedySteps,
        allowCpuFallback,
        strict,
        reportDirectory,
        maxModelBytes,
        null,
        false);
  }

  /** A request with the default size limit, protobuf's 2 GiB. */
  public ValidationRequest(
      Path directory,
      Path reference,
      boolean referenceRequired,
      double minTopOneAgreement,
      int greedySteps,
      boolean allowCpuFallback,
      boolean strict,
      Path reportDirectory) {
    this(
        directory,
        reference,
        referenceRequired,
        minTopOneAgreement,
        greedySteps,
        allowCpuFallback,
        strict,
        reportDirectory,
        dev.edgellm.onnx.OnnxModel.PROTOBUF_LIMIT,
        null,
        false);
  }

  /**
   * Defaults: no reference, agreement 0.9, 8 steps, CPU fallback and ops the WASM backend lacks are
   * errors, no report files.
   */
  public static ValidationRequest of(Path directory) {
    return new ValidationRequest(directory, null, false, 0.9, 8, false, false, null);
  }

  public ValidationRequest withReference(Path reference, boolean required) {
    return copy(
        c -> {
          c.reference = reference;
          c.referenceRequired = required;
        });
  }

  public ValidationRequest withReportDirectory(Path reportDirectory) {
    return copy(c -> c.reportDirectory = reportDirectory);
  }

  public ValidationRequest withMaxModelBytes(long value) {
    return copy(c -> c.maxModelBytes = value);
  }

  public ValidationRequest withMinTopOneAgreement(double value) {
    return copy(c -> c.minTopOneAgreement = value);
  }

  /** The same request with the gate on the user's examples ({@code null}: none). */
  public ValidationRequest withExamples(ExampleGate gate) {
    return copy(c -> c.examples = gate);
  }

  /**
   * The same request with ops that onnxruntime-web's WASM backend lacks reported as warnings
   * ({@code true}: the app is meant for browsers with WebGPU only) or errors.
   */
  public ValidationRequest withAllowWebGpuOnly(boolean value) {
    return copy(c -> c.allowWebGpuOnly = value);
  }

  private ValidationRequest copy(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** Throws unless {@code value} is a fraction, 0..1 (NaN is not). */
  static void requireFraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, not " + value);
    }
  }

  /** A request's components, to change some of them (the {@code with...} methods). */
  private static final class Copy {
    private final Path directory;
    private Path reference;
    private boolean referenceRequired;
    private double minTopOneAgreement;
    private final int greedySteps;
    private final boolean allowCpuFallback;
    private final boolean strict;
    private Path reportDirectory;
    private long maxModelBytes;
    private ExampleGate examples;
    private boolean allowWebGpuOnly;

    Copy(ValidationRequest r) {
      directory = r.directory;
      reference = r.reference;
      referenceRequired = r.referenceRequired;
      minTopOneAgreement = r.minTopOneAgreement;
      greedySteps = r.greedySteps;
      allowCpuFallback = r.allowCpuFallback;
      strict = r.strict;
      reportDirectory = r.reportDirectory;
      maxModelBytes = r.maxModelBytes;
      examples = r.examples;
      allowWebGpuOnly = r.allowWebGpuOnly;
    }

    ValidationRequest build() {
      return new ValidationRequest(
          directory,
          reference,
          referenceRequired,
          minTopOneAgreement,
          greedySteps,
          allowCpuFallback,
          strict,
          reportDirectory,
          maxModelBytes,
          examples,
          allowWebGpuOnly);
    }
  }
}
