package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.adapter.Adapter;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.util.DiskFullException;
import dev.edgellm.util.InFlight;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UpToDateCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private final StageFiles out;

  public Stager(Reporter log) {
    this(log, OnnxModel.PROTOBUF_LIMIT);
  }

  /** A stager that refuses models over {@code maxModelBytes} (default: protobuf's 2 GiB limit). */
  public Stager(Reporter log, long maxModelBytes) {
    this.log = log;
    this.maxModelBytes = maxModelBytes;
    this.out = new StageFiles(log);
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
    InFlight.add(building);
    List<StagedFile> files = new ArrayList<>();
    boolean done = false;
    List<StagedFile> modelFiles;
    try {
      Files.createDirectories(building.resolve("onnx"));
      // the model first: config.json declares its external data chunks
      modelFiles = out.stageModel(building, modelFile, modelPath);

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
      files.add(out.writeText(building, "config.json", Json.pretty(config)));

      Path generation = checkpoint.resolve("generation_config.json");
      if (Files.isRegularFile(generation)) {
        readObject(generation, "generation_config.json");
        files.add(out.copy(building, "generation_config.json", generation));
      } else {
        log.info(
            "generation_config.json not in the checkpoint; derived it from config.json's token ids");
        files.add(
            out.writeText(
                building,
                "generation_config.json",
                Json.pretty(GenerationConfigs.deriveFrom(config))));
      }

      files.add(out.copy(building, "tokenizer.json", tokenizers.resolve("tokenizer.json")));

      ChatTemplates.Found template = ChatTemplates.toInline(tokenizers, tokenizerConfig);
      String templateSource;
      if (template != null) {
        tokenizerConfig.set("chat_template", template.template());
        files.add(out.writeText(building, "tokenizer_config.json", Json.pretty(tokenizerConfig)));
        templateSource = template.source();
        log.info(
            "Inlined the chat template from " + template.source() + " into tokenizer_config.json");
      } else {
        files.add(
            out.copy(
                building, "tokenizer_config.json", tokenizers.resolve("tokenizer_config.json")));
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
          Manifests.manifest(
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
      out.writeText(building, MANIFEST, Json.pretty(manifest));

      if (StagingFolder.sameStaging(building, target)) {
        // Same bytes as the folder staged before: leave it (and its files' times) as it is.
        log.info("Staged files in " + target + " are unchanged (same bytes): kept as they are");
      } else {
        StagingFolder.keepTimesOfUnchangedFiles(building, target);
        StagingFolder.replace(building, target, log);
      }
      done = true;
    } catch (IOException e) {
      throw DiskFullException.typed(e, "The staged model", target, Properties.STAGE_DIRECTORY);
    } finally {
      if (!done || Files.exists(building)) {
        StagingFolder.deleteTree(building);
      }
      InFlight.remove(building);
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
