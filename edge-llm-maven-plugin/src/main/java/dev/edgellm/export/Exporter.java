package dev.edgellm.export;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.graph.DecoderGraphBuilder;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp32Weights;
import dev.edgellm.graph.LazyTensor;
import dev.edgellm.graph.Scratch;
import dev.edgellm.graph.WeightFormat;
import dev.edgellm.graph.arch.Architectures;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Exports a Hugging Face checkpoint to a Transformers.js-ready ONNX decoder. */
public final class Exporter {
  public static final String MODEL_FILE = "model.onnx";

  private final ExportLog log;

  public Exporter(ExportLog log) {
    this.log = log;
  }

  /** Runs the export; nothing is left in the output folder when it fails. */
  public ExportResult export(ExportRequest req) {
    long t0 = System.nanoTime();
    Path model = req.output().resolve(MODEL_FILE);
    try (Checkpoint ckpt = Checkpoint.open(req.checkpoint());
        Scratch scratch = new Scratch(req.output().resolve("." + MODEL_FILE + ".scratch"))) {
      DecoderSpec spec = Architectures.of(ckpt.config()).spec(ckpt.config());
      WeightFormat weights = switch (req.precision()) {
        case FP32 -> new Fp32Weights(ckpt, scratch);
        case Q4 -> throw new ExportException("edgellm.export.precision=q4 is not available yet; use fp32");
      };
      DecoderGraphBuilder.Built built = new DecoderGraphBuilder(ckpt, spec, weights).build();
      log.info(String.format("%s: %d layers, hidden %d, vocab %d, %d weight tensors; graph built in %d ms",
          ckpt.config().modelType(), ckpt.config().numLayers(), ckpt.config().hiddenSize(), ckpt.config().vocabSize(),
          built.weights().size(), (System.nanoTime() - t0) / 1_000_000));
      long bytes = write(built, model);
      double secs = (System.nanoTime() - t0) / 1e9;
      log.info(String.format("wrote %s (%.1f MB) in %.2f s", model, bytes / 1e6, secs));
      return new ExportResult(List.of(model), bytes, ckpt.config().modelType(), built.weights().size());
    }
  }

  /** Minimal embedded writer (temp file + rename); to be replaced by dev.edgellm.onnx's streaming writer. */
  private long write(DecoderGraphBuilder.Built built, Path target) {
    GraphProto.Builder graph = built.skeleton().getGraph().toBuilder();
    int n = built.weights().size();
    int i = 0;
    for (LazyTensor t : built.weights()) {
      graph.addInitializer(t.materialize());
      i++;
      if (i % 16 == 0 || i == n) {
        log.info("tensor " + i + " of " + n);
      }
    }
    ModelProto model = built.skeleton().toBuilder().setGraph(graph).build();
    long size = model.getSerializedSize();
    if (size < 0 || size >= (2L << 30)) {
      throw new ExportException("the model is over 2 GiB; external data is not supported by this writer yet");
    }
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      try {
        try (OutputStream out = Files.newOutputStream(tmp)) {
          model.writeTo(out);
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      return size;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
