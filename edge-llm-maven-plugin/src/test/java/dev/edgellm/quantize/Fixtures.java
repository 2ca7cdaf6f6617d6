package dev.edgellm.quantize;

import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The onnxruntime 1.30 quantizer fixtures, copied from ../shared/fixtures/quant. */
final class Fixtures {
  private Fixtures() {}

  static final String[] VARIANTS = {
    "q4_b32_sym", "q4_b32_asym", "q4_b128_sym", "q4_b16_sym", "q4_b32_sym_gather"
  };

  static int blockSize(String variant) {
    return Integer.parseInt(variant.replaceAll("q4_b(\\d+)_.*", "$1"));
  }

  static boolean symmetric(String variant) {
    return !variant.contains("asym");
  }

  static int accuracyLevel(String variant) {
    return variant.equals("q4_b16_sym") ? 4 : 0;
  }

  static boolean gather(String variant) {
    return variant.endsWith("_gather");
  }

  /** Copies a resource of src/test/resources/quant into {@code dir}. */
  static Path copy(String name, Path dir) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(dir);
    try (InputStream in = Fixtures.class.getResourceAsStream("/quant/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }

  static byte[] bytes(String name) throws IOException {
    try (InputStream in = Fixtures.class.getResourceAsStream("/quant/" + name)) {
      return in.readAllBytes();
    }
  }

  static ModelProto model(String name) throws IOException {
    return ModelProto.parseFrom(bytes(name));
  }

  static Map<String, TensorProto> initializers(ModelProto m) {
    Map<String, TensorProto> out = new LinkedHashMap<>();
    for (TensorProto t : m.getGraph().getInitializerList()) {
      out.put(t.getName(), t);
    }
    return out;
  }

  static OnnxModel read(Path p) throws Exception {
    return OnnxModel.read(p);
  }
}
