package dev.edgellm.quantize;

import dev.edgellm.onnx.OnnxWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the quantize stage should do; built by the mojo (or any caller) and passed to {@link
 * ModelQuantizer#run}. Validation happens in {@link ModelQuantizer#run}, so that errors can name
 * the setting.
 *
 * @param input the fp32/fp16 model ({@code .onnx}, single file or with external data)
 * @param output where the 4-bit model is written, as one embedded file
 * @param blockSize values per block: 16, 32, 64, 128 or 256
 * @param symmetric symmetric (signed scale, zero point 8) or asymmetric (explicit zero points)
 * @param accuracyLevel MatMulNBits {@code accuracy_level}, 0 to 4 (0 = not written)
 * @param excludeNodes names of nodes to leave as they are
 * @param embeddings also quantize Gather tables to {@code GatherBlockQuantized}
 * @param maxOutputBytes refuse an output larger than this (default: protobuf's 2 GiB limit)
 * @param method how each block's scale is chosen: {@link QuantizeMethod#SEARCH} (default) or {@link
 *     QuantizeMethod#RTN} (bit-exact with onnxruntime)
 * @param keep which MatMul weights stay at 8 bits ({@link Keep#AUTO} by default; {@link Keep#NONE}
 *     for onnxruntime's output)
 */
public record QuantizeRequest(
    Path input,
    Path output,
    int blockSize,
    boolean symmetric,
    int accuracyLevel,
    Set<String> excludeNodes,
    boolean embeddings,
    long maxOutputBytes,
    QuantizeMethod method,
    Keep keep) {

  /** Default block size, as in onnxruntime's quantizer command line. */
  public static final int DEFAULT_BLOCK_SIZE = 32;

  public QuantizeRequest {
    excludeNodes = Set.copyOf(excludeNodes);
    java.util.Objects.requireNonNull(method, "method");
    java.util.Objects.requireNonNull(keep, "keep");
  }

  /**
   * The defaults: block size 32, symmetric, accuracy level 0, MatMuls only, 2 GiB limit, {@link
   * QuantizeMethod#DEFAULT}, {@link Keep#AUTO}.
   */
  public static QuantizeRequest of(Path input, Path output) {
    return new QuantizeRequest(
        input,
        output,
        DEFAULT_BLOCK_SIZE,
        true,
        0,
        Set.of(),
        false,
        OnnxWriter.DEFAULT_LIMIT,
        QuantizeMethod.DEFAULT,
        Keep.AUTO);
  }

  public QuantizeRequest withBlockSize(int v) {
    return copy(c -> c.blockSize = v);
  }

  public QuantizeRequest withSymmetric(boolean v) {
    return copy(c -> c.symmetric = v);
  }

  public QuantizeRequest withAccuracyLevel(int v) {
    return copy(c -> c.accuracyLevel = v);
  }

  public QuantizeRequest withExcludeNodes(Set<String> v) {
    return copy(c -> c.excludeNodes = v);
  }

  public QuantizeRequest withEmbeddings(boolean v) {
    return copy(c -> c.embeddings = v);
  }

  public QuantizeRequest withMaxOutputBytes(long v) {
    return copy(c -> c.maxOutputBytes = v);
  }

  public QuantizeRequest withMethod(QuantizeMethod v) {
    return copy(c -> c.method = v);
  }

  public QuantizeRequest withKeep(Keep v) {
    return copy(c -> c.keep = v);
  }

  private QuantizeRequest copy(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** A request's components, to change some of them (the {@code with...} methods). */
  private static final class Copy {
    private final Path input;
    private final Path output;
    private int blockSize;
    private boolean symmetric;
    private int accuracyLevel;
    private Set<String> excludeNodes;
    private boolean embeddings;
    private long maxOutputBytes;
    private QuantizeMethod method;
    private Keep keep;

    Copy(QuantizeRequest r) {
      input = r.input;
      output = r.output;
      blockSize = r.blockSize;
      symmetric = r.symmetric;
      accuracyLevel = r.accuracyLevel;
      excludeNodes = r.excludeNodes;
      embeddings = r.embeddings;
      maxOutputBytes = r.maxOutputBytes;
      method = r.method;
      keep = r.keep;
    }

    QuantizeRequest build() {
      return new QuantizeRequest(
          input,
          output,
          blockSize,
          symmetric,
          accuracyLevel,
          excludeNodes,
          embeddings,
          maxOutputBytes,
          method,
          keep);
    }
  }
}
