package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.adapter.Adapter;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.util.AtomicFiles;
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
import java.util.UUID;
import java.util.stream.Stream;

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
    settings.put(Properties.MAX_MODEL_BYTES, Long.toString(maxModelBytes));
    settings.put(
        Properties.ADAPTER,
        request.adapter() == null
            ? "none"
            : request.adapter().toAbsolutePath().normalize().toString());
    List<Path> inputs = new ArrayList<>(List.of(request.checkpoint(), request.model()));
    if (request.tokenizer() != null) {
      inputs.add(request.tokenizer());
    }
    if (request.adapter() != null) {
      inputs.add(request.adapter());
    }
    return UpToDateCheck.of(stateFile, "edge-llm:stage", settings, inputs);
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
    checkInputs(checkpoint, tokenizers, request.tokenizer() != null, modelPath, target);
    // Nothing is written until stage knows it will not delete a file it did not write.
    ForeignFiles.refuseIfAny(target);
    Adapter adapter = request.adapter() == null ? null : Adapter.open(request.adapter());

    ObjectNode config = readObject(checkpoint.resolve("config.json"), "config.json");
    ObjectNode tokenizerConfig =
        readObject(tokenizers.resolve("tokenizer_config.json"), "tokenizer_config.json");
    readObject(tokenizers.resolve("tokenizer.json"), "tokenizer.json");

    QuantizationSummary quantization = inspectModel(modelPath);
    Layout layout = request.layout();
    String dtype = layout.dtype(quantization.quantized());
    String modelFile = "onnx/" + layout.modelFileName(quantization.quantized());
    if (layout == Layout.HUB && !quantization.quantized()) {
      log.warn(
          modelPath.getFileName()
              + " is not 4-bit quantized, so the hub layout stages it as onnx/model.onnx with dtype fp32");
    }

    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path building = parent.resolve("." + target.getFileName() + ".staging-" + shortId());
    List<StagedFile> files = new ArrayList<>();
    boolean done = false;
    try {
      Files.createDirectories(building.resolve("onnx"));

      // config.json: tell Transformers.js which file to load; keep every other key.
      ObjectNode tjsConfig =
          config.has("transformers.js_config") && config.get("transformers.js_config").isObject()
              ? (ObjectNode) config.get("transformers.js_config")
              : config.putObject("transformers.js_config");
      tjsConfig.put("dtype", dtype);
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

      files.add(copyModel(building, modelFile, modelPath));
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
      writeText(building, MANIFEST, Json.pretty(manifest));

      if (sameStaging(building, target)) {
        // Same bytes as the folder staged before: leave it (and its files' times) as it is.
        log.info("Staged files in " + target + " are unchanged (same bytes): kept as they are");
      } else {
        keepTimesOfUnchangedFiles(building, target);
        replace(building, target);
      }
      done = true;
    } finally {
      if (!done || Files.exists(building)) {
        deleteTree(building);
      }
    }
    log.info(
        "Staged "
            + modelFile
            + " ("
            + megabytes(sizeOf(files, modelFile))
            + " MB, dtype "
            + dtype
            + ") in "
            + target);
    return new StageResult(target, modelFile, dtype, quantization, List.copyOf(files));
  }

  private static void checkInputs(
      Path checkpoint, Path tokenizers, boolean tokenizerSet, Path model, Path target)
      throws StageException {
    if (!Files.isDirectory(checkpoint)) {
      throw new StageException(
          "Checkpoint folder "
              + checkpoint
              + " does not exist; set edgellm.checkpoint to the folder with config.json and the tokenizer files");
    }
    if (!Files.isRegularFile(checkpoint.resolve("config.json"))) {
      throw new StageException(
          "config.json missing in "
              + checkpoint
              + "; copy it from the base model on the Hub (Transformers.js needs it)");
    }
    if (tokenizerSet && !Files.isDirectory(tokenizers)) {
      throw new StageException(
          "Tokenizer folder "
              + tokenizers
              + " does not exist; fix edgellm.stage.tokenizer or remove it"
              + " to take the tokenizer files from the checkpoint");
    }
    for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
      if (!Files.isRegularFile(tokenizers.resolve(name))) {
        throw new StageException(
            name
                + " missing in "
                + tokenizers
                + "; copy it from the base model on the Hub (Transformers.js needs it)"
                + (tokenizerSet
                    ? ""
                    : " or set edgellm.stage.tokenizer to a folder that has the tokenizer files"));
      }
    }
    if (!Files.isRegularFile(model)) {
      throw new StageException(
          "ONNX model "
              + model
              + " does not exist; run the export and quantize goals first, or set edgellm.stage.model");
    }
    if (target.getParent() == null || target.getFileName() == null) {
      throw new StageException(
          "Cannot stage into "
              + target
              + "; set edgellm.stage.directory to a folder like public/models/NAME");
    }
    if (checkpoint.startsWith(target)
        || target.startsWith(checkpoint)
        || model.startsWith(target)) {
      throw new StageException(
          "The staging folder "
              + target
              + " overlaps the checkpoint or the model; choose another edgellm.stage.directory");
    }
    if (Files.isSymbolicLink(target) || Files.isRegularFile(target)) {
      throw new StageException(
          target
              + " exists and is not a folder; remove it or choose another edgellm.stage.directory");
    }
    if (Files.isDirectory(target)
        && !Files.isRegularFile(target.resolve(MANIFEST))
        && !isEmpty(target)) {
      throw new StageException(
          target
              + " exists but was not written by stage (it has no "
              + MANIFEST
              + "); stage only replaces its own folders:"
              + " remove it or choose another edgellm.stage.directory");
    }
  }

  private QuantizationSummary inspectModel(Path model) throws StageException, IOException {
    long size = Files.size(model);
    if (size > OnnxModel.PROTOBUF_LIMIT) {
      throw new StageException(
          model
              + " is "
              + megabytes(size)
              + " MB, over protobuf's 2 GiB limit: browsers cannot load it as one file;"
              + " quantize it (the quantize goal writes 4-bit weights) or pick a smaller model");
    }
    if (size > maxModelBytes) {
      throw new StageException(
          model
              + " is "
              + size
              + " bytes, over the limit "
              + Properties.MAX_MODEL_BYTES
              + "="
              + maxModelBytes
              + "; quantize it, pick a smaller model or raise "
              + Properties.MAX_MODEL_BYTES);
    }
    try (OnnxModel onnx = OnnxModel.read(model)) {
      if (!onnx.externalFiles().isEmpty()) {
        throw new StageException(
            model.getFileName()
                + " keeps "
                + onnx.externalDataSize()
                + " bytes of weights in external data ("
                + onnx.externalFiles().get(0).getFileName()
                + "); the browser cannot mount external data files: stage a"
                + " model written as one embedded file under 2 GiB (the quantize goal writes one)");
      }
      return QuantizationSummary.of(onnx.proto());
    } catch (OnnxFormatException e) {
      throw new StageException(e.getMessage(), e);
    }
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

  /**
   * Puts {@code building} in place of {@code target}: rename the old one aside, rename the new one
   * in, delete the old.
   */
  private void replace(Path building, Path target) throws IOException {
    if (!Files.exists(target)) {
      AtomicFiles.move(building, target);
      return;
    }
    Path previous = target.resolveSibling("." + target.getFileName() + ".previous-" + shortId());
    AtomicFiles.move(target, previous);
    try {
      AtomicFiles.move(building, target);
    } catch (IOException e) {
      AtomicFiles.move(previous, target);
      throw e;
    }
    deleteTree(previous);
    log.debug("Replaced the previous staging of " + target.getFileName());
  }

  /**
   * True when {@code building} holds exactly the files of the existing {@code target}, with the
   * same bytes, edge-llm.json compared without its {@code validation} summary (which the validate
   * goal adds).
   */
  private static boolean sameStaging(Path building, Path target) throws IOException {
    if (!Files.isDirectory(target)) {
      return false;
    }
    List<Path> mine = relativeFiles(building);
    if (!mine.equals(relativeFiles(target))) {
      return false;
    }
    for (Path rel : mine) {
      Path a = building.resolve(rel);
      Path b = target.resolve(rel);
      if (rel.toString().equals(MANIFEST)) {
        ObjectNode ma;
        ObjectNode mb;
        try {
          ma = Json.readObject(a);
          mb = Json.readObject(b);
        } catch (IOException e) {
          return false;
        }
        ma.remove("validation");
        mb.remove("validation");
        if (!ma.equals(mb)) {
          return false;
        }
      } else if (Files.mismatch(a, b) != -1) {
        return false;
      }
    }
    return true;
  }

  /** Gives each new file whose bytes equal the staged one's that file's modification time. */
  private static void keepTimesOfUnchangedFiles(Path building, Path target) throws IOException {
    if (!Files.isDirectory(target)) {
      return;
    }
    for (Path rel : relativeFiles(building)) {
      Path old = target.resolve(rel);
      Path now = building.resolve(rel);
      if (Files.isRegularFile(old)
          && Files.size(old) == Files.size(now)
          && Files.mismatch(old, now) == -1) {
        Files.setLastModifiedTime(now, Files.getLastModifiedTime(old));
      }
    }
  }

  private static List<Path> relativeFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
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

  private static long megabytes(long bytes) {
    return Math.round(bytes / 1048576.0);
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
