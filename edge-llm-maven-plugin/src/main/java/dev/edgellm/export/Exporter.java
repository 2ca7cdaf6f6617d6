package dev.edgellm.export;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderGraphBuilder;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp32Weights;
import dev.edgellm.graph.LazyTensor;
import dev.edgellm.graph.Q4Weights;
import dev.edgellm.graph.Scratch;
import dev.edgellm.graph.WeightFormat;
import dev.edgellm.graph.arch.Architectures;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.NodeOrder;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.quantize.QuantizedWeight;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UpToDateCheck;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Exports a Hugging Face checkpoint to a Transformers.js-ready ONNX decoder: reads config.json and
 * the memory-mapped safetensors, builds the graph for the architecture, and writes {@code
 * model.onnx} (plus {@code model.onnx_data} when an fp32 model is over 2 GiB) through a temporary
 * file renamed into place. Weights are produced one at a time while writing: converted (fp32) or
 * quantized (q4).
 */
public final class Exporter {
  public static final String MODEL_FILE = "model.onnx";

  private final Reporter log;
  private final long embeddedLimit;

  public Exporter(Reporter log) {
    this(log, OnnxWriter.DEFAULT_LIMIT);
  }

  /**
   * An exporter that writes a model over {@code embeddedLimit} bytes with external data ({@code
   * model.onnx_data}); the default is protobuf's 2 GiB limit, tests and {@code
   * edgellm.export.maxEmbeddedBytes} lower it.
   */
  public Exporter(Reporter log, long embeddedLimit) {
    this.log = log;
    this.embeddedLimit = embeddedLimit;
  }

  /**
   * Name of the fingerprint file the export keeps in its output folder (see {@link UpToDateCheck}).
   */
  public static final String FINGERPRINT = ".edge-llm-export.fingerprint";

  /**
   * The up-to-date check of {@code req}: the checkpoint folder's files (sizes and times), the
   * precision, the embeddings layout and the size limit; the fingerprint is kept in the output
   * folder.
   */
  public UpToDateCheck upToDateCheck(ExportRequest req) {
    Map<String, String> settings = new TreeMap<>();
    settings.put(Properties.EXPORT_PRECISION, req.precision().name().toLowerCase(Locale.ROOT));
    settings.put(Properties.EXPORT_EMBEDDINGS, req.embeddings().name().toLowerCase(Locale.ROOT));
    if (req.precision() == Precision.Q4) {
      settings.put(Properties.QUANTIZE_METHOD, req.method().id());
    }
    settings.put(Properties.EXPORT_MAX_EMBEDDED_BYTES, Long.toString(embeddedLimit));
    return UpToDateCheck.of(
        req.output().resolve(FINGERPRINT), "edge-llm:export", settings, List.of(req.checkpoint()));
  }

  /**
   * Runs the export unless its output is up to date (same checkpoint files, same settings, outputs
   * as written): then it logs that it skips and returns empty. Records the fingerprint after a run.
   */
  public Optional<ExportResult> exportUnlessUpToDate(ExportRequest req) {
    UpToDateCheck check = upToDateCheck(req);
    if (check.skipIfUpToDate(
        log,
        "checkpoint and settings",
        "delete " + req.output() + " or change a setting to rebuild")) {
      return Optional.empty();
    }
    ExportResult result = export(req);
    check.record(result.files());
    return Optional.of(result);
  }

  /**
   * Runs the export; nothing is left in the output folder when it fails.
   *
   * @throws dev.edgellm.checkpoint.CheckpointException the checkpoint is unusable (message: what,
   *     where, fix)
   * @throws ExportException a setting is wrong
   */
  /**
   * Export itself needs only config.json and the weights, but the browser needs the tokenizer: say
   * so now rather than after a long export, when the stage goal fails.
   */
  private void warnAboutMissingTokenizer(Path checkpoint) {
    for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
      if (!java.nio.file.Files.isRegularFile(checkpoint.resolve(name))) {
        log.warn(
            "export: "
                + name
                + " missing in "
                + checkpoint.toAbsolutePath().normalize()
                + "; the stage goal will need it: copy it from the base model or set "
                + Properties.STAGE_TOKENIZER);
      }
    }
  }

  public ExportResult export(ExportRequest req) {
    long t0 = System.nanoTime();
    Path model = req.output().toAbsolutePath().normalize().resolve(MODEL_FILE);
    try (Checkpoint ckpt = Checkpoint.open(req.checkpoint());
        Scratch scratch = new Scratch(model.resolveSibling("." + MODEL_FILE + ".scratch"))) {
      ModelConfig c = ckpt.config();
      DecoderSpec spec = Architectures.of(c).spec(c);
      warnAboutMissingTokenizer(req.checkpoint());
      WeightFormat weights =
          switch (req.precision()) {
            case FP32 -> new Fp32Weights(ckpt, scratch);
            case Q4 ->
                new Q4Weights(ckpt, scratch, req.embeddings() == Embeddings.SHARED, req.method());
          };
      DecoderGraphBuilder.Built built = new DecoderGraphBuilder(ckpt, spec, weights).build();
      long inputBytes = 0;
      for (var t : ckpt.tensors().values()) {
        inputBytes += t.byteLength();
      }
      log.info(
          String.format(
              Locale.ROOT,
              "export: %s (%s, %d layers, hidden %d, vocab %d, %.1f MB %s) to %s, %s%s; graph of %d nodes built in %d ms",
              req.checkpoint(),
              c.modelType(),
              c.numLayers(),
              c.hiddenSize(),
              c.vocabSize(),
              ProgressMeter.mb(inputBytes),
              c.dtype() == null ? "" : c.dtype(),
              model,
              req.precision().name().toLowerCase(Locale.ROOT),
              weights instanceof Q4Weights q && q.sharesLmHead()
                  ? ", embedding shares the lm_head's 4-bit weight"
                  : "",
              built.skeleton().getGraph().getNodeCount(),
              (System.nanoTime() - t0) / 1_000_000));
      List<Path> files = new ArrayList<>();
      long bytes = write(built, model, files);
      double secs = (System.nanoTime() - t0) / 1e9;
      log.info(
          String.format(
              Locale.ROOT,
              "export: wrote %s (%.1f MB) in %.2f s",
              model,
              ProgressMeter.mb(bytes),
              secs));
      return new ExportResult(List.copyOf(files), bytes, c.modelType(), built.weights().size());
    }
  }

  private long write(DecoderGraphBuilder.Built built, Path target, List<Path> files) {
    long total = 0;
    for (LazyTensor t : built.weights()) {
      total += t.byteLength();
    }
    ProgressMeter meter = new ProgressMeter(log, "export", built.weights().size(), total, 2000);
    GraphProto.Builder graph = built.skeleton().getGraph().toBuilder();
    for (LazyTensor t : built.weights()) {
      graph.addInitializer(t.materialize());
      meter.itemDone(t.name(), t.byteLength());
    }
    GraphProto finished = graph.build();
    if (built.weights().stream().anyMatch(t -> QuantizedWeight.isQ4Name(t.name()))) {
      // The node order the quantize goal writes (onnxruntime's), so that "export q4" and
      // "export fp32, then quantize" give the same bytes.
      finished = NodeOrder.onnxruntimeOrder(finished);
    }
    ModelProto model = built.skeleton().toBuilder().setGraph(finished).build();
    try {
      if (OnnxWriter.serializedSize(model) <= embeddedLimit) {
        long n = OnnxWriter.writeEmbedded(model, target, embeddedLimit);
        files.add(target);
        return n;
      }
      log.info(
          "export: the model is over "
              + (embeddedLimit == OnnxWriter.DEFAULT_LIMIT ? "2 GiB" : embeddedLimit + " bytes")
              + "; writing "
              + target.getFileName()
              + " with external data "
              + target.getFileName()
              + "_data");
      OnnxWriter.ExternalDataResult r = OnnxWriter.writeWithExternalData(model, target);
      files.add(r.model());
      files.add(r.data());
      return r.modelBytes() + r.dataBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } catch (UserErrorException e) {
      throw new IllegalStateException(
          "the exported model could not be written: " + e.getMessage(), e);
    }
  }
}
