package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.adapter.Adapter;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.ModelTensors;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.SafePaths;
import dev.edgellm.util.Sha256;
import dev.edgellm.util.UpToDateCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Lays out a model folder the way Transformers.js 4.x loads it:
 *
 * <pre>
 * public/models/NAME/
 *   config.json              + "transformers.js_config": {"dtype": ...}
 *   generation_config.json   copied, or derived from config.json
 *   tokenizer.json
 *   tokenizer_config.json    with the chat template inlined when the checkpoint keeps it elsewhere
 *   onnx/model.onnx          (model_q4.onnx in the hub layout)
 *   edge-llm.json            sizes, SHA-256 of every file, quantization, source, validation summary
 * </pre>
 *
 * The folder is built under a hidden temporary name beside the target and then renamed into place,
 * replacing a previous staging of the same name; nothing else in the parent folder is touched. A
 * previous staging that holds files stage did not write (listed in no {@code edge-llm.json}) is
 * refused, never deleted.
 */
public final class Stager {
  /** The manifest stage writes into every staged folder. */
  public static final String MANIFEST = "edge-llm.json";

  private final Reporter log;
  private final long maxModelBytes;

  public Stager(Reporter log) {
    this(log, OnnxModel.PROTOBUF_LIMIT);
  }

  /** A stager that refuses models over {@code maxModelBytes} (default: protobuf's 2 GiB limit). */
  public Stager(Reporter log, long maxModelBytes) {
    this.log = log;
    this.maxModelBytes = maxModelBytes;
  }

  /**
   * The up-to-date check of {@code request}: every file of the checkpoint folder and the model
   * (sizes and times), the staging folder and the layout; the fingerprint is kept in {@code
   * stateFile} (outside the staged folder, which the web app serves as it is).
   */
  public UpToDateCheck upToDateCheck(StageRequest request, Path stateFile) {
    Map<String, String> settings = new TreeMap<>();
    settings.put(
        Properties.STAGE_DIRECTORY, request.directory().toAbsolutePath().normalize().toString());
    settings.put(Properties.STAGE_LAYOUT, request.layout().id());
    settings.put(Properties.STAGE_VARIANTS, String.join(",", request.variants()));
    settings.put(Properties.MAX_MODEL_BYTES, Long.toString(maxModelBytes));
    settings.put(
        Properties.ADAPTER,
        request.adapter() == null
            ? "none"
            : request.adapter().toAbsolutePath().normalize().toString());
    List<Path> inputs = new ArrayList<>(List.of(request.checkpoint(), request.model()));
    inputs.addAll(dataFilesBeside(request.model()));
    if (request.tokenizer() != null) {
      inputs.add(request.tokenizer());
    }
    if (request.adapter() != null) {
      inputs.add(request.adapter());
    }
    return UpToDateCheck.of(stateFile, "edge-llm:stage", settings, inputs);
  }

  /** The files beside {@code model} whose names start with its name (its external data). */
  private static List<Path> dataFilesBeside(Path model) {
    Path abs = model.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    String name = abs.getFileName().toString();
    try (var s = Files.list(dir)) {
      return s.filter(f -> !f.equals(abs) && f.getFileName().toString().startsWith(name))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * {@link #stage} unless the staged folder is up to date (same checkpoint files, model and
   * settings, and the staged files as written): then logs that it skips and returns empty. With
   * {@code stateFile} null there is no fingerprint and it always stages (which still keeps
   * unchanged files untouched).
   */
  public Optional<StageResult> stageUnlessUpToDate(StageRequest request, Path stateFile)
      throws StageException, IOException {
    if (stateFile == null) {
      return Optional.of(stage(request));
    }
    UpToDateCheck check = upToDateCheck(request, stateFile);
    if (check.skipIfUpToDate(
        log,
        "checkpoint, model and settings",
        "delete " + request.directory() + " or change a setting to restage")) {
      return Optional.empty();
    }
    StageResult result = stage(request);
    List<Path> outputs = new ArrayList<>();
    for (StagedFile f : result.files()) {
      outputs.add(result.directory().resolve(f.path()));
    }
    check.record(outputs);
    return Optional.of(result);
  }

  /** Stages {@code request}; throws {@link StageException} when the input is wrong. */
  public StageResult stage(StageRequest request) throws StageException, IOException {
    Path checkpoint = request.checkpoint().toAbsolutePath().normalize();
    Path modelPath = request.model().toAbsolutePath().normalize();
    Path target = request.directory().toAbsolutePath().normalize();
    Path tokenizers = request.tokenizerFolder().toAbsolutePath().normalize();
    StageInputs.check(checkpoint, tokenizers, request.tokenizer() != null, modelPath, target);
    // Nothing is written until stage knows it will not delete a file it did not write.
    ForeignFiles.refuseIfAny(target);
    Adapter adapter = request.adapter() == null ? null : Adapter.open(request.adapter());

    ObjectNode config = readObject(checkpoint.resolve("config.json"), "config.json");
    ObjectNode tokenizerConfig =
        readObject(tokenizers.resolve("tokenizer_config.json"), "tokenizer_config.json");
    readObject(tokenizers.resolve("tokenizer.json"), "tokenizer.json");

    QuantizationSummary quantization = StageInputs.inspectModel(modelPath, maxModelBytes);
    Layout layout = request.layout();
    boolean variants = !request.variants().isEmpty();
    if (variants) {
      Variants.check(quantization, modelPath);
    }
    String dtype = variants ? Variants.dtype() : layout.dtype(quantization.quantized());
    String modelFile =
        variants ? Variants.modelFile() : "onnx/" + layout.modelFileName(quantization.quantized());
    if (layout == Layout.HUB && !quantization.quantized()) {
      log.warn(
          modelPath.getFileName()
              + " is not 4-bit quantized, so the hub layout stages it as onnx/model.onnx with dtype fp32");
    }

    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path building =
        parent.resolve("." + target.getFileName() + ".staging-" + StagingFolder.shortId());
    List<StagedFile> files = new ArrayList<>();
    boolean done = false;
    List<StagedFile> modelFiles;
    try {
      Files.createDirectories(building.resolve("onnx"));
      // the model first: config.json declares its external data chunks
      modelFiles = stageModel(building, modelFile, modelPath);

      // config.json: tell Transformers.js which file to load; keep every other key.
      ObjectNode tjsConfig =
          config.has("transformers.js_config") && config.get("transformers.js_config").isObject()
              ? (ObjectNode) config.get("transformers.js_config")
              : config.putObject("transformers.js_config");
      tjsConfig.put("dtype", dtype);
      ExternalDataFormat.declare(tjsConfig, modelFile, modelFiles.size() - 1);
      if (variants) {
        Variants.configure(tjsConfig);
      }
      if (config.path("quantization").has("group_size")) {
        // MLX's packing of the checkpoint's weights: the staged ONNX model does not have it
        config.remove("quantization");
      }
      files.add(writeText(building, "config.json", Json.pretty(config)));

      Path generation = checkpoint.resolve("generation_config.json");
      if (Files.isRegularFile(generation)) {
        readObject(generation, "generation_config.json");
        files.add(copy(building, "generation_config.json", generation));
      } else {
        log.info(
            "generation_config.json not in the checkpoint; derived it from config.json's token ids");
        files.add(
            writeText(
                building,
                "generation_config.json",
                Json.pretty(GenerationConfigs.deriveFrom(config))));
      }

      files.add(copy(building, "tokenizer.json", tokenizers.resolve("tokenizer.json")));

      ChatTemplates.Found template = ChatTemplates.toInline(tokenizers, tokenizerConfig);
      String templateSource;
      if (template != null) {
        tokenizerConfig.set("chat_template", template.template());
        files.add(writeText(building, "tokenizer_config.json", Json.pretty(tokenizerConfig)));
        templateSource = template.source();
        log.info(
            "Inlined the chat template from " + template.source() + " into tokenizer_config.json");
      } else {
        files.add(
            copy(building, "tokenizer_config.json", tokenizers.resolve("tokenizer_config.json")));
        boolean has = tokenizerConfig.hasNonNull("chat_template");
        templateSource = has ? "tokenizer_config.json" : null;
        if (!has) {
          log.warn(
              "The checkpoint has no chat template (a base model?): apply_chat_template will not work");
        }
      }

      files.addAll(modelFiles);
      if (variants) {
        log.info("Writing the q4f16 variant (float16 activations) of " + modelPath);
        files.add(Variants.writeHalf(building, modelPath, checkpoint));
      }
      files.sort(Comparator.comparing(StagedFile::path));

      ObjectNode manifest =
          manifest(
              target,
              config,
              checkpoint,
              layout,
              dtype,
              modelFile,
              quantization,
              files,
              templateSource,
              adapter);
      if (modelFiles.size() > 1) {
        // the chunks, in the order Transformers.js fetches them (each is in "files" too)
        ArrayNode chunks = manifest.putArray("externalData");
        modelFiles.subList(1, modelFiles.size()).forEach(f -> chunks.add(f.path()));
      }
      if (variants) {
        Variants.describe(manifest);
      }
      writeText(building, MANIFEST, Json.pretty(manifest));

      if (StagingFolder.sameStaging(building, target)) {
        // Same bytes as the folder staged before: leave it (and its files' times) as it is.
        log.info("Staged files in " + target + " are unchanged (same bytes): kept as they are");
      } else {
        StagingFolder.keepTimesOfUnchangedFiles(building, target);
        StagingFolder.replace(building, target, log);
      }
      done = true;
    } finally {
      if (!done || Files.exists(building)) {
        StagingFolder.deleteTree(building);
      }
    }
    log.info(
        "Staged "
            + modelFile
            + " ("
            + StageInputs.megabytes(sizeOf(files, modelFile))
            + " MB"
            + (modelFiles.size() > 1
                ? String.format(
                    " + %d external data chunks, %d MB",
                    modelFiles.size() - 1,
                    StageInputs.megabytes(
                        modelFiles.subList(1, modelFiles.size()).stream()
                            .mapToLong(StagedFile::size)
                            .sum()))
                : "")
            + ", dtype "
            + dtype
            + ") in "
            + target);
    return new StageResult(target, modelFile, dtype, quantization, List.copyOf(files));
  }

  private static ObjectNode manifest(
      Path target,
      ObjectNode config,
      Path checkpoint,
      Layout layout,
      String dtype,
      String modelFile,
      QuantizationSummary quantization,
      List<StagedFile> files,
      String templateSource,
      Adapter adapter)
      throws IOException {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("format", "edge-llm-model/1");
    m.put("name", target.getFileName().toString());
    m.put("demo", config.path("edge_llm_demo").asBoolean(false));
    m.put("modelType", config.path("model_type").asText(null));
    m.put("layout", layout.id());
    m.put("dtype", dtype);
    m.put("model", modelFile);
    m.put("chatTemplate", templateSource);
    long total = 0;
    ArrayNode list = m.putArray("files");
    for (StagedFile f : files) {
      ObjectNode o = list.addObject();
      o.put("path", f.path());
      o.put("size", f.size());
      o.put("sha256", f.sha256());
      total += f.size();
    }
    m.put("totalSize", total);
    m.set("quantization", quantization.toJson());
    ObjectNode source = m.putObject("source");
    source.put("checkpoint", checkpoint.getFileName().toString());
    source.set("architectures", config.path("architectures").deepCopy());
    source.put("configSha256", Sha256.of(checkpoint.resolve("config.json")));
    if (adapter != null) {
      // the fine-tuning adapter the export merged into the checkpoint's weights
      ObjectNode a = source.putObject("adapter");
      a.put("path", adapterSource(adapter.dir()));
      a.put("layout", adapter.layout().id());
      a.put("file", adapter.layout().weightsFile());
      a.put("sha256", adapter.weightsSha256());
      a.put("configSha256", Sha256.of(adapter.dir().resolve("adapter_config.json")));
    }
    ObjectNode validation = m.putObject("validation");
    validation.put("status", "not-run");
    return m;
  }

  /**
   * How edge-llm.json names an adapter: {@code org/name@commit} for a snapshot folder of the
   * huggingface_hub cache ({@code models--org--name/snapshots/<commit>}), else the folder's name.
   */
  static String adapterSource(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    Path parent = d.getParent();
    Path repo = parent == null ? null : parent.getParent();
    if (repo != null
        && parent.getFileName().toString().equals("snapshots")
        && repo.getFileName().toString().startsWith("models--")) {
      return repo.getFileName().toString().substring("models--".length()).replace("--", "/")
          + "@"
          + d.getFileName();
    }
    return d.getFileName().toString();
  }

  // ---- files -----------------------------------------------------------------------------------

  private StagedFile writeText(Path root, String relative, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Files.write(SafePaths.inside(root, relative), bytes);
    return new StagedFile(relative, bytes.length, Sha256.hex(Sha256.newDigest().digest(bytes)));
  }

  private StagedFile copy(Path root, String relative, Path source) throws IOException {
    return copy(root, relative, source, false);
  }

  private StagedFile copyModel(Path root, String relative, Path source) throws IOException {
    return copy(root, relative, source, true);
  }

  /**
   * Stages the model as {@code relative} ({@code onnx/model.onnx}) and its external data, if any,
   * as the chunks Transformers.js fetches for that name ({@code onnx/model.onnx_data}, {@code
   * onnx/model.onnx_data_1}, …). Chunks already in that layout (ours, under another model name too)
   * are copied, the model's locations renamed when the name differs; any other layout (onnx's
   * {@code model.onnx.data}, one file per tensor, a data file of 2 GiB or more) is rewritten into 1
   * GiB chunks. Returns the model, then the chunks in order.
   */
  private List<StagedFile> stageModel(Path root, String relative, Path source)
      throws StageException, IOException {
    Path target = SafePaths.inside(root, relative);
    String base = ExternalDataWriter.dataBaseName(target.getFileName().toString());
    try (OnnxModel onnx = OnnxModel.read(source)) {
      List<OnnxModel.ExternalFile> data = onnx.externalData();
      if (data.isEmpty()) {
        return List.of(copyModel(root, relative, source));
      }
      String folder =
          relative.substring(0, relative.length() - target.getFileName().toString().length());
      String sourceBase = ExternalDataWriter.dataBaseName(source.getFileName().toString());
      Map<String, String> renamed = new TreeMap<>();
      for (OnnxModel.ExternalFile f : data) {
        int index = ExternalDataWriter.chunkIndex(f.location(), sourceBase);
        if (index < 0 || index >= data.size() || f.size() > ExternalDataWriter.MAX_CHUNK_BYTES) {
          renamed = null;
          break;
        }
        renamed.put(f.location(), ExternalDataWriter.chunkName(base, index));
      }
      List<StagedFile> out = new ArrayList<>();
      if (renamed == null) {
        log.info(
            source.getFileName()
                + "'s external data ("
                + data.size()
                + " file(s), "
                + data.get(0).location()
                + ", ...) is not in the chunk layout Transformers.js fetches; rewriting it as "
                + base
                + ", ...");
        ExternalDataWriter.Result r =
            ExternalDataWriter.writeModel(onnx.proto(), target, ExternalDataWriter.Options.DEFAULT);
        for (Path p : r.files()) {
          out.add(new StagedFile(folder + p.getFileName(), Files.size(p), Sha256.of(p)));
        }
        return out;
      }
      Map<String, String> names = renamed;
      if (sourceBase.equals(base)) {
        out.add(copyModel(root, relative, source));
      } else {
        ModelProto relocated =
            ModelTensors.rewrite(onnx.stored(), (t, where) -> relocate(t, names));
        OnnxWriter.writeStored(relocated, target);
        out.add(new StagedFile(relative, Files.size(target), Sha256.of(target)));
      }
      for (int i = 0; i < data.size(); i++) {
        String chunk = ExternalDataWriter.chunkName(sourceBase, i);
        out.add(
            copy(
                root,
                folder + ExternalDataWriter.chunkName(base, i),
                source.resolveSibling(chunk),
                true));
      }
      return out;
    } catch (OnnxFormatException e) {
      throw new StageException(e.getMessage(), e);
    }
  }

  private static TensorProto relocate(TensorProto t, Map<String, String> names) {
    if (!Tensors.isExternal(t)) {
      return t;
    }
    TensorProto.Builder b = t.toBuilder();
    for (int i = 0; i < b.getExternalDataCount(); i++) {
      StringStringEntryProto e = b.getExternalData(i);
      if (e.getKey().equals("location")) {
        b.setExternalData(i, e.toBuilder().setValue(names.get(e.getValue())));
      }
    }
    return b.build();
  }

  private StagedFile copy(Path root, String relative, Path source, boolean progress)
      throws IOException {
    MessageDigest digest = Sha256.newDigest();
    long total = Files.size(source);
    long copied = 0;
    long start = System.nanoTime();
    long nextReport = 256L << 20;
    try (InputStream in = Files.newInputStream(source);
        OutputStream out =
            new DigestOutputStream(
                Files.newOutputStream(SafePaths.inside(root, relative)), digest)) {
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        copied += n;
        if (progress && copied >= nextReport) {
          double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
          log.info(
              String.format(
                  "Copying %s: %d of %d MB (%.0f MB/s)",
                  relative, copied >> 20, total >> 20, (copied >> 20) / seconds));
          nextReport += 256L << 20;
        }
      }
    }
    return new StagedFile(relative, copied, Sha256.hex(digest.digest()));
  }

  private static ObjectNode readObject(Path file, String name) throws StageException, IOException {
    try {
      return Json.readObject(file);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StageException(
          name
              + " in "
              + file.getParent()
              + " is not a valid JSON object ("
              + e.getOriginalMessage()
              + "); fix it or copy it again from the base model",
          e);
    }
  }

  private static long sizeOf(List<StagedFile> files, String path) {
    return files.stream().filter(f -> f.path().equals(path)).mapToLong(StagedFile::size).sum();
  }
}
