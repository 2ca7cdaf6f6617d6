package dev.edgellm.maven;

import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizeRequest;
import java.io.File;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Quantizes an ONNX model's MatMul weights to 4 bits ({@code com.microsoft.MatMulNBits}), and
 * optionally its embedding tables ({@code GatherBlockQuantized}), bit-exact with onnxruntime 1.30's
 * {@code MatMulNBitsQuantizer}. Writes one embedded {@code .onnx} file.
 *
 * <p>Works without a pom: {@code mvn dev.edgellm:edge-llm-maven-plugin:quantize
 * -Dedgellm.quantize.input=in.onnx -Dedgellm.quantize.output=out.onnx}. In a project it binds to
 * {@code package} and reads {@code target/edge-llm/model-fp32/model.onnx}, writing {@code
 * target/edge-llm/model-q4/model.onnx}.
 */
@Mojo(
    name = "quantize",
    defaultPhase = LifecyclePhase.PACKAGE,
    requiresProject = false,
    threadSafe = true)
public class QuantizeMojo extends EdgeLlmMojo {
  public QuantizeMojo() {
    super("quantize", Properties.QUANTIZE_SKIP);
  }

  /** The ONNX model to quantize (one file, or {@code model.onnx} with external data beside it). */
  @Parameter(
      property = Properties.QUANTIZE_INPUT,
      defaultValue = "${project.build.directory}/edge-llm/model-fp32/model.onnx")
  File input;

  /** Where the 4-bit model is written, as one embedded file. */
  @Parameter(
      property = Properties.QUANTIZE_OUTPUT,
      defaultValue = "${project.build.directory}/edge-llm/model-q4/model.onnx")
  File output;

  /** Elements per quantization block along K: 16, 32, 64, 128 or 256. */
  @Parameter(property = Properties.QUANTIZE_BLOCK_SIZE, defaultValue = "32")
  int blockSize = 32;

  /** Symmetric (signed scale, implicit zero point 8) or asymmetric (explicit zero points). */
  @Parameter(property = Properties.QUANTIZE_SYMMETRIC, defaultValue = "true")
  boolean symmetric = true;

  /** MatMulNBits {@code accuracy_level}: 0 (unset), 1 (fp32), 2 (fp16), 3 (bf16), 4 (int8). */
  @Parameter(property = Properties.QUANTIZE_ACCURACY_LEVEL, defaultValue = "0")
  int accuracyLevel;

  /** Comma-separated names of nodes to leave unquantized. */
  @Parameter(property = Properties.QUANTIZE_EXCLUDE_NODES)
  String excludeNodes;

  /** Also quantize Gather tables (embeddings) to {@code GatherBlockQuantized}. */
  @Parameter(property = Properties.QUANTIZE_EMBEDDINGS, defaultValue = "false")
  boolean embeddings;

  /**
   * How each block's scale is chosen: {@code search} (least squared reconstruction error per block,
   * no calibration data) or {@code rtn} (round to nearest, bit-exact with onnxruntime).
   */
  @Parameter(property = Properties.QUANTIZE_METHOD, defaultValue = "search")
  String method = "search";

  /**
   * Which MatMul weights stay at 8 bits: {@code auto} (the most sensitive ones within +10% of the
   * all-4-bit size), {@code none} (all 4-bit; with {@code rtn}, onnxruntime's output byte for byte)
   * or a comma-separated list of name fragments ({@code lm_head,v_proj}).
   */
  @Parameter(property = Properties.QUANTIZE_KEEP, defaultValue = "auto")
  String keep = "auto";

  /** Skip this goal. */
  @Parameter(property = Properties.QUANTIZE_SKIP, defaultValue = "false")
  boolean skip;

  /**
   * Largest output accepted, in bytes (default: protobuf's 2 GiB limit); a larger model fails the
   * build before anything is written.
   */
  @Parameter(
      property = Properties.MAX_MODEL_BYTES,
      defaultValue = Properties.MAX_MODEL_BYTES_DEFAULT)
  long maxOutputBytes = OnnxWriter.DEFAULT_LIMIT;

  /**
   * Write the output with external data ({@code <output>_data}, {@code <output>_data_1}, …) even
   * when it fits in one file; an output over protobuf's 2 GiB limit always is.
   */
  @Parameter(property = Properties.QUANTIZE_EXTERNAL_DATA, defaultValue = "false")
  boolean externalData;

  /** Largest external data chunk, in bytes (default 1 GiB, at most 2147483647). */
  @Parameter(
      property = Properties.QUANTIZE_EXTERNAL_DATA_CHUNK_BYTES,
      defaultValue = Properties.EXTERNAL_DATA_CHUNK_BYTES_DEFAULT)
  long externalDataChunkBytes = ExternalDataWriter.DEFAULT_CHUNK_BYTES;

  @Override
  protected boolean skip() {
    return skip;
  }

  @Override
  protected void run() throws MojoExecutionException, MojoFailureException {
    // outside a project the defaults' ${project.build.directory} stays unresolved
    if (unresolved(input) || unresolved(output)) {
      throw new MojoFailureException(
          "quantize needs an input and an output model (outside a project there are no"
              + " defaults); set -D"
              + Properties.QUANTIZE_INPUT
              + "=<model.onnx> and -D"
              + Properties.QUANTIZE_OUTPUT
              + "=<out.onnx>");
    }
    Set<String> exclude =
        excludeNodes == null
            ? Set.of()
            : Arrays.stream(excludeNodes.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    QuantizeRequest request =
        new QuantizeRequest(
            input.toPath(),
            output.toPath(),
            blockSize,
            symmetric,
            accuracyLevel,
            exclude,
            embeddings,
            maxOutputBytes,
            QuantizeMethod.DEFAULT,
            Keep.AUTO);
    core(
        () ->
            ModelQuantizer.runUnlessUpToDate(
                request.withMethod(QuantizeMethod.parse(method)).withKeep(Keep.parse(keep)),
                new ExternalDataWriter.Policy(externalData, externalDataChunkBytes),
                new MavenReporter(getLog())));
  }
}
