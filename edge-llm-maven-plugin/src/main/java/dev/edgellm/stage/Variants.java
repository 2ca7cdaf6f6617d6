package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ConfigReader;
import dev.edgellm.graph.Fp16Policy;
import dev.edgellm.graph.HalfPrecision;
import dev.edgellm.graph.arch.Architectures;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code edgellm.stage.variants=q4f16,q4}: the 4-bit model staged as {@code onnx/model_q4.onnx} and
 * its float16 form ({@link HalfPrecision}, what the architecture keeps float32 kept) as {@code
 * onnx/model_q4f16.onnx}, with config.json's {@code transformers.js_config} telling Transformers.js
 * 4.x which to load where:
 *
 * <pre>
 * "dtype": "q4",                               every device (WASM, WebGPU without shader-f16)
 * "device_config": {"webgpu": {"dtype": "q4f16"}},  session.js overlays it for device webgpu
 * "kv_cache_dtype": {"q4f16": "float16"}       read by Transformers.js 4.0 and 4.1 (4.2+ read the
 *                                              cache type from the session's inputs)
 * </pre>
 *
 * An explicit {@code dtype} option overrides both: the generated app passes q4f16 only when the
 * adapter has {@code shader-f16}, and a plain Transformers.js caller on an adapter without it must
 * pass {@code dtype: "q4"}.
 */
public final class Variants {
  public static final String Q4 = "q4";
  public static final String Q4F16 = "q4f16";

  private Variants() {}

  /**
   * Parses {@code edgellm.stage.variants}: empty or blank for none, else {@code q4f16,q4} (any
   * order, any case).
   */
  public static List<String> parse(String value) throws StageException {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      out.add(s.trim().toLowerCase(Locale.ROOT));
    }
    if (out.size() != 2 || !Set.copyOf(out).equals(Set.of(Q4, Q4F16))) {
      throw new StageException(
          Properties.STAGE_VARIANTS
              + " is '"
              + value
              + "'; the variants stage can make are q4f16,q4 (leave it empty to stage the model"
              + " alone)");
    }
    return List.of(Q4F16, Q4);
  }

  /** The dtype config.json declares for every device. */
  static String dtype() {
    return Q4;
  }

  /** The file of the q4 variant (the model as given). */
  static String modelFile() {
    return "onnx/" + Layout.modelFileNameForDtype(Q4);
  }

  /** Refuses a model the variants cannot be made from. */
  static void check(QuantizationSummary quantization, Path model) throws StageException {
    if (!quantization.quantized()) {
      throw new StageException(
          model
              + " is not 4-bit quantized, so "
              + Properties.STAGE_VARIANTS
              + "=q4f16,q4 cannot stage it as q4: stage the quantize goal's model (or export with "
              + Properties.EXPORT_PRECISION
              + "=q4)");
    }
  }

  /** Adds dtype, device_config and kv_cache_dtype to {@code transformers.js_config}. */
  static void configure(ObjectNode tjs) {
    tjs.put("dtype", Q4);
    ObjectNode devices =
        tjs.has("device_config") && tjs.get("device_config").isObject()
            ? (ObjectNode) tjs.get("device_config")
            : tjs.putObject("device_config");
    devices.putObject("webgpu").put("dtype", Q4F16);
    tjs.putObject("kv_cache_dtype").put(Q4F16, "float16");
  }

  /** What edge-llm.json lists: the variants, each with its dtype and file. */
  static void describe(ObjectNode manifest) {
    ArrayNode list = manifest.putArray("variants");
    for (String d : List.of(Q4F16, Q4)) {
      ObjectNode o = list.addObject();
      o.put("dtype", d);
      o.put("model", "onnx/" + Layout.modelFileNameForDtype(d));
    }
  }

  /**
   * Writes {@code onnx/model_q4f16.onnx} under {@code root}: the float16 form of {@code model}, as
   * the checkpoint's architecture declares it.
   */
  static StagedFile writeHalf(Path root, Path model, Path checkpoint)
      throws StageException, IOException {
    Fp16Policy policy;
    try {
      policy = Architectures.of(ConfigReader.read(checkpoint)).fp16Policy();
    } catch (CheckpointException e) {
      throw new StageException("cannot make the q4f16 variant: " + e.getMessage(), e);
    }
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(model));
    for (TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        throw new StageException(
            model
                + " keeps its weights in external data; the q4f16 variant is made from an"
                + " embedded model only: export with "
                + Properties.EXPORT_PRECISION
                + "=q4f16 instead");
      }
    }
    for (ValueInfoProto v : m.getGraph().getInputList()) {
      if (v.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT16_VALUE) {
        throw new StageException(
            model
                + " already has float16 inputs ("
                + v.getName()
                + "); stage the q4 model (float32 activations) with "
                + Properties.STAGE_VARIANTS
                + " and stage makes the q4f16 variant from it");
      }
    }
    byte[] bytes = HalfPrecision.convert(m, policy).toByteArray();
    String relative = "onnx/" + Layout.modelFileNameForDtype(Q4F16);
    Files.write(root.resolve(relative), bytes);
    return new StagedFile(relative, bytes.length, Sha256.hex(Sha256.newDigest().digest(bytes)));
  }
}
