package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.stage.Layout;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What checks share: the staged folder, its parsed files (loaded once, on first use) and the
 * results of the checks run so far. A getter throws {@link SkipCheck} when its file is missing or
 * broken, so a check that needs it is skipped instead of repeating another check's error.
 */
public final class ValidationContext {
  /** The JSON files every staged folder must have. */
  public static final List<String> REQUIRED_JSON =
      List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json");

  private final ValidationRequest request;
  private final Reporter log;
  private final Map<String, Object> jsonCache = new HashMap<>();
  private final Map<String, CheckResult> results = new HashMap<>();
  private OnnxModel onnx;
  private ModelProto model;
  private String modelError;
  private Vocabulary vocabulary;
  private String vocabularyError;
  private DecoderContract contract;

  ValidationContext(ValidationRequest request, Reporter log) {
    this.request = request;
    this.log = log;
  }

  public ValidationRequest request() {
    return request;
  }

  public Reporter log() {
    return log;
  }

  public Path directory() {
    return request.directory();
  }

  /** A file of the staged folder by its relative path. */
  public Path file(String relative) {
    return directory().resolve(relative);
  }

  // ---- JSON files ------------------------------------------------------------------------------

  /** A JSON object file of the folder; skips the calling check when it is missing or invalid. */
  public ObjectNode json(String name) throws SkipCheck {
    Object cached = jsonCache.computeIfAbsent(name, this::loadJson);
    if (cached instanceof ObjectNode node) {
      return node;
    }
    throw new SkipCheck((String) cached);
  }

  /** The parse error of a JSON file, or {@code null} when it is a valid object (or absent). */
  String jsonError(String name) {
    Object cached = jsonCache.computeIfAbsent(name, this::loadJson);
    return cached instanceof String s && Files.exists(file(name)) ? s : null;
  }

  private Object loadJson(String name) {
    Path path = file(name);
    if (!Files.isRegularFile(path)) {
      return name + " is missing (see files.present)";
    }
    try {
      JsonNode node = Json.read(path);
      if (node == null || !node.isObject()) {
        return name + " does not hold a JSON object (see files.json)";
      }
      return node;
    } catch (IOException e) {
      return name + " is not valid JSON (see files.json): " + firstLine(e.getMessage());
    }
  }

  // ---- model file ------------------------------------------------------------------------------

  /**
   * The dtype config.json declares for the decoder ({@code transformers.js_config.dtype}), or
   * {@code null}.
   */
  public String declaredDtype() {
    try {
      JsonNode dtype = json("config.json").path("transformers.js_config").path("dtype");
      if (dtype.isTextual()) {
        return dtype.asText();
      }
      if (dtype.isObject() && dtype.path("model").isTextual()) {
        return dtype.path("model").asText();
      }
    } catch (SkipCheck e) {
      // config.json unusable: no dtype
    }
    return null;
  }

  /**
   * The model file Transformers.js will request, relative to the folder, or {@code null} if the
   * dtype is unknown.
   */
  public String expectedModelFile() {
    String dtype = declaredDtype();
    String name = dtype == null ? null : Layout.modelFileNameForDtype(dtype);
    return name == null ? null : "onnx/" + name;
  }

  /** Every {@code .onnx} file in {@code onnx/}, sorted, relative to the folder. */
  public List<String> onnxFiles() {
    return listOnnxFolder().stream().filter(n -> n.endsWith(".onnx")).toList();
  }

  /** Every file in {@code onnx/}, sorted, relative to the folder. */
  public List<String> listOnnxFolder() {
    Path onnx = file("onnx");
    if (!Files.isDirectory(onnx)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(onnx)) {
      return s.filter(Files::isRegularFile).map(p -> "onnx/" + p.getFileName()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * The model the checks examine: the file the declared dtype names, or else the only .onnx file.
   * Skips the calling check when there is none.
   */
  public String modelFile() throws SkipCheck {
    String expected = expectedModelFile();
    if (expected != null && Files.isRegularFile(file(expected))) {
      return expected;
    }
    List<String> files = onnxFiles();
    if (files.size() == 1) {
      return files.get(0);
    }
    throw new SkipCheck(
        files.isEmpty()
            ? "no ONNX model in onnx/ (see files.present)"
            : "no single model to examine (see model.layout)");
  }

  public Path modelPath() throws SkipCheck {
    return file(modelFile());
  }

  /** The parsed model; skips the calling check when it is too large or does not parse. */
  public ModelProto model() throws SkipCheck {
    if (model == null && modelError == null) {
      Path path = modelPath();
      try {
        if (Files.size(path) > OnnxModel.PROTOBUF_LIMIT) {
          modelError = "the model is over 2 GiB (see model.size)";
        } else {
          onnx = OnnxModel.read(path);
          model = onnx.proto();
        }
      } catch (dev.edgellm.onnx.OnnxFormatException e) {
        modelError = "the model does not parse: " + firstLine(String.valueOf(e.getMessage()));
      } catch (IOException | RuntimeException e) {
        modelError = "the model does not parse: " + firstLine(String.valueOf(e.getMessage()));
      }
    }
    if (model == null) {
      throw new SkipCheck(modelError);
    }
    return model;
  }

  /**
   * External data files the model's tensors live in (read and checked by {@link OnnxModel}); empty
   * for one embedded file.
   */
  public List<Path> externalFiles() throws SkipCheck {
    model();
    return onnx.externalFiles();
  }

  /** The external data files by the location the tensors give, with what they hold. */
  public List<OnnxModel.ExternalFile> externalData() throws SkipCheck {
    model();
    return onnx.externalData();
  }

  /**
   * The number of external data chunks config.json declares for the model file ({@code
   * transformers.js_config.use_external_data_format}), 0 when none or config.json is unusable.
   */
  public int declaredChunks() throws SkipCheck {
    String file = modelFile();
    try {
      return dev.edgellm.stage.ExternalDataFormat.chunks(
          json("config.json").path("transformers.js_config"), file);
    } catch (SkipCheck e) {
      return 0;
    }
  }

  /** Bytes of tensor data kept in external files. */
  public long externalDataBytes() throws SkipCheck {
    model();
    return onnx.externalDataSize();
  }

  /** Releases the model's files. */
  void close() {
    if (onnx != null) {
      try {
        onnx.close();
      } catch (IOException e) {
        // read-only files: nothing to lose
      }
    }
  }

  String modelParseError() throws SkipCheck {
    try {
      model();
      return null;
    } catch (SkipCheck e) {
      if (modelError == null) {
        throw e;
      }
      return modelError;
    }
  }

  // ---- config, tokenizer -----------------------------------------------------------------------

  /** The sizes config.json declares; skips when a key is missing (contract.io reports it). */
  public ModelDims dims() throws SkipCheck {
    try {
      return ModelDims.of(json("config.json"));
    } catch (IllegalArgumentException e) {
      throw new SkipCheck(e.getMessage());
    }
  }

  /** tokenizer.json's token table; skips when it does not load (tokenizer.loads reports it). */
  public Vocabulary vocabulary() throws SkipCheck {
    if (vocabulary == null && vocabularyError == null) {
      try {
        vocabulary = Vocabulary.of(json("tokenizer.json"));
      } catch (IllegalArgumentException e) {
        vocabularyError = e.getMessage();
      }
    }
    if (vocabulary == null) {
      throw new SkipCheck("tokenizer.json does not load (see tokenizer.loads)");
    }
    return vocabulary;
  }

  String vocabularyError() throws SkipCheck {
    try {
      vocabulary();
      return null;
    } catch (SkipCheck e) {
      if (vocabularyError == null) {
        throw e;
      }
      return vocabularyError;
    }
  }

  /** The sample ids of {@link SampleText}. */
  public long[] sampleIds(int max) throws SkipCheck {
    return SampleText.ids(vocabulary(), json("tokenizer.json"), json("tokenizer_config.json"), max);
  }

  // ---- results ---------------------------------------------------------------------------------

  /** The decoder's inputs and outputs as contract.io found them; skips when that check failed. */
  public DecoderContract contract() throws SkipCheck {
    if (contract == null) {
      throw new SkipCheck(
          "the model's inputs and outputs do not fit the Transformers.js contract (see contract.io)");
    }
    return contract;
  }

  void contract(DecoderContract contract) {
    this.contract = contract;
  }

  /** True when the check with this id ran and failed. */
  public boolean failed(String id) {
    CheckResult r = results.get(id);
    return r != null && r.status() == CheckStatus.FAILED;
  }

  /** Skips the calling check when any of {@code ids} failed. */
  public void requirePassed(String... ids) throws SkipCheck {
    List<String> failed = new ArrayList<>();
    for (String id : ids) {
      if (failed(id)) {
        failed.add(id);
      }
    }
    if (!failed.isEmpty()) {
      throw new SkipCheck("not run because " + String.join(", ", failed) + " failed");
    }
  }

  void record(CheckResult result) {
    results.put(result.id(), result);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
