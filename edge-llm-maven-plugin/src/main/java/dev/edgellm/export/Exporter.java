package dev.edgellm.export;

import dev.edgellm.adapter.Adapter;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderGraphBuilder;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp16Policy;
import dev.edgellm.graph.Fp32Weights;
import dev.edgellm.graph.LazyTensor;
import dev.edgellm.graph.Q4Weights;
import dev.edgellm.graph.Scratch;
import dev.edgellm.graph.WeightFormat;
import dev.edgellm.graph.arch.Architectures;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.quantize.Keep;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.MappedFaults;
import dev.edgellm.util.OutputLock;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UpToDateCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  private final boolean alwaysExternal;
  private final ExternalDataWriter.Options external;

  public Exporter(Reporter log) {
    this(log, OnnxWriter.DEFAULT_LIMIT);
  }

  /**
   * An exporter that writes a model over {@code embeddedLimit} bytes with external data ({@code
   * model.onnx_data}); the default is protobuf's 2 GiB limit, tests and {@code
   * edgellm.export.maxEmbeddedBytes} lower it.
   */
  public Exporter(Reporter log, long embeddedLimit) {
    this(log, embeddedLimit, false, ExternalDataWriter.Options.DEFAULT);
  }

  private Exporter(
      Reporter log,
      long embeddedLimit,
      boolean alwaysExternal,
      ExternalDataWriter.Options external) {
    this.log = log;
    this.embeddedLimit = embeddedLimit;
    this.alwaysExternal = alwaysExternal;
    this.external = external;
  }

  /**
   * The same exporter writing external data ({@code model.onnx} + {@code model.onnx_data}, {@code
   * model.onnx_data_1}, … of at most {@code chunkBytes} each) always when {@code always}, else when
   * the model is over the embedded limit ({@code edgellm.export.externalData}, {@code
   * edgellm.export.externalDataChunkBytes}).
   */
  public Exporter withExternalData(boolean always, long chunkBytes) throws ExportException {
    if (chunkBytes < 1 || chunkBytes > ExternalDataWriter.MAX_CHUNK_BYTES) {
      throw new ExportException(
          "external data chunk size "
              + chunkBytes
              + " is out of range; set "
              + Properties.EXPORT_EXTERNAL_DATA_CHUNK_BYTES
              + " to 1 to 2147483647 bytes (default 1073741824)");
    }
    return new Exporter(log, embeddedLimit, always, external.withChunkBytes(chunkBytes));
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
    if (req.precision() != Precision.FP32) {
      settings.put(Properties.QUANTIZE_METHOD, req.method().id());
      settings.put(Properties.QUANTIZE_KEEP, req.keep().id());
    }
    settings.put(Properties.EXPORT_MAX_EMBEDDED_BYTES, Long.toString(embeddedLimit));
    settings.put(Properties.EXPORT_EXTERNAL_DATA, Boolean.toString(alwaysExternal));
    settings.put(Properties.EXPORT_EXTERNAL_DATA_CHUNK_BYTES, Long.toString(external.chunkBytes()));
    settings.put(
        Properties.ADAPTER,
        req.adapter() == null ? "none" : req.adapter().toAbsolutePath().normalize().toString());
    List<Path> inputs =
        req.adapter() == null
            ? List.of(req.checkpoint())
            : List.of(req.checkpoint(), req.adapter());
    return UpToDateCheck.of(req.output().resolve(FINGERPRINT), "edge-llm:export", settings, inputs);
  }

  /**
   * The q4 weights: a first build (nothing written) lists the MatMulNBits weights as the graph
   * names them, {@link Keep} chooses the 8-bit ones among them, the same way {@code quantize} does
   * for the fp32 export's MatMuls.
   */
  private Q4Weights q4Weights(
      Checkpoint ckpt, Scratch scratch, DecoderSpec spec, ExportRequest req) {
    boolean shared = req.embeddings() == Embeddings.SHARED;
    Set<String> eightBit = Set.of();
    if (!req.keep().equals(Keep.NONE)) {
      Q4Weights plan = new Q4Weights(ckpt, scratch, shared, req.method(), Set.of());
      DecoderGraphBuilder.Built built = new DecoderGraphBuilder(ckpt, spec, plan).build();
      // the file with every candidate at 4 bits: the skeleton (graph, small tensors) + the weights
      long all4 =
          built.skeleton().getSerializedSize()
              + built.weights().stream().mapToLong(LazyTensor::byteLength).sum();
      long otherBytes = all4 - plan.matMuls().stream().mapToLong(Keep::bytes4).sum();
      eightBit = req.keep().choose(plan.matMuls(), otherBytes);
      log.info(Keep.describe(eightBit, plan.matMuls(), otherBytes));
    }
    return new Q4Weights(ckpt, scratch, shared, req.method(), eightBit);
  }

  /**
   * Runs the export unless its output is up to date (same checkpoint files, same settings, outputs
   * as written): then it logs that it skips and returns empty. Records the fingerprint after a run.
   */
  public Optional<ExportResult> exportUnlessUpToDate(ExportRequest req) {
    try (OutputLock lock = lock(req)) {
      UpToDateCheck check = upToDateCheck(req);
      if (check.skipIfUpToDate(
          log,
          "checkpoint and settings",
          "delete " + req.output() + " or change a setting to rebuild")) {
        return Optional.empty();
      }
      ExportResult result = exportLocked(req, lock);
      check.record(result.files());
      return Optional.of(result);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Locks the output folder (a second build writing into it waits; see {@link OutputLock}), so that
   * temporaries of an interrupted run can be removed and no two runs write one model.
   */
  private OutputLock lock(ExportRequest req) throws IOException {
    return OutputLock.acquire(req.output().toAbsolutePath().normalize(), "export", log);
  }

  /** Temporaries of our naming that a killed export leaves: {@code AtomicFiles}' and scratch. */
  static boolean isStaleTemporary(String name) {
    String data = ExternalDataWriter.dataBaseName(MODEL_FILE);
    List<String> targets = new ArrayList<>(List.of(MODEL_FILE));
    for (int i = 0; i < ExternalDataWriter.MAX_CHUNKS; i++) {
      targets.add(ExternalDataWriter.chunkName(data, i));
    }
    for (String target : targets) {
      if (AtomicFiles.isTemporaryOf(name, target) || Scratch.isScratchOf(name, target)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs the export without the up-to-date check (see {@link #exportUnlessUpToDate}): reads the
   * checkpoint, builds the decoder graph for its architecture and writes {@code model.onnx} (with
   * {@code model.onnx_data} when the model is over the embedded limit) into the request's output
   * folder, under a temporary name renamed into place; logs progress and a summary.
   *
   * @return the files written, their total size, the model type and the number of weights
   * @throws dev.edgellm.checkpoint.CheckpointException the checkpoint is unusable (message: what,
   *     where, fix)
   * @throws ExportException a setting is wrong
   * @throws java.io.UncheckedIOException reading the checkpoint or writing the model failed
   */
  public ExportResult export(ExportRequest req) {
    try (OutputLock lock = lock(req)) {
      return exportLocked(req, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private ExportResult exportLocked(ExportRequest req, OutputLock lock) throws IOException {
    lock.cleanStale(Exporter::isStaleTemporary, "export", log);
    Path model = req.output().toAbsolutePath().normalize().resolve(MODEL_FILE);
    try (Scratch scratch = Scratch.beside(model)) {
      return MappedFaults.guard(
          "the checkpoint's safetensors in "
              + req.checkpoint().toAbsolutePath().normalize()
              + ", the scratch file beside "
              + model,
          () -> exportWith(req, model, scratch));
    }
  }

  private ExportResult exportWith(ExportRequest req, Path model, Scratch scratch) {
    long t0 = System.nanoTime();
    try (Checkpoint ckpt = open(req, scratch)) {
      ModelConfig c = ckpt.config();
      DecoderSpec spec = Architectures.of(c).spec(c);
      warnAboutMissingTokenizer(req.checkpoint());
      WeightFormat weights =
          switch (req.precision()) {
            case FP32 -> new Fp32Weights(ckpt, scratch);
            // q4f16 is the q4 graph (the same 4- and 8-bit weights) in float16 (HalfPrecision)
            case Q4, Q4F16 -> q4Weights(ckpt, scratch, spec, req);
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
      Fp16Policy fp16 =
          req.precision() == Precision.Q4F16 ? Architectures.of(c).fp16Policy() : null;
      long bytes =
          new ModelWriter(log, embeddedLimit, alwaysExternal, external)
              .write(built, fp16, model, files, scratch);
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

  /**
   * The checkpoint as the graph sees it: MLX-quantized weights dequantized and the adapter (if any)
   * merged, both computed into scratch space one tensor at a time while the model is written.
   */
  private Checkpoint open(ExportRequest req, Scratch scratch) {
    Checkpoint base =
        Checkpoint.open(
            req.checkpoint(),
            bytes -> bytes <= DERIVED_ON_HEAP ? heap(bytes) : scratch.allocate(bytes));
    if (req.adapter() == null) {
      return base;
    }
    try {
      return Adapter.open(req.adapter()).applyTo(base, log);
    } catch (RuntimeException e) {
      base.close();
      throw e;
    }
  }

  /**
   * Derived tensors up to this size are computed on the heap: most are read once (transposed or
   * quantized) and dropped, and page-cache writes would cost more than the merge itself. A larger
   * one (e.g. a dequantized embedding table, which an fp32 export keeps until the model is written)
   * goes to the memory-mapped scratch file.
   */
  static final long DERIVED_ON_HEAP = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);

  private static java.nio.ByteBuffer heap(long bytes) {
    return java.nio.ByteBuffer.allocate(Math.toIntExact(bytes))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }
}
