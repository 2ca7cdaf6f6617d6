package dev.edgellm.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.graph.DecoderGraphBuilder;
import dev.edgellm.graph.Fp16Policy;
import dev.edgellm.graph.HalfPrecision;
import dev.edgellm.graph.LazyTensor;
import dev.edgellm.graph.Scratch;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.NodeOrder;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.quantize.QuantizedWeight;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes an exported model for {@link Exporter}: embedded, or with external data chunks. */
final class ModelWriter {
  private final Reporter log;
  private final long embeddedLimit;
  private final boolean alwaysExternal;
  private final ExternalDataWriter.Options external;

  ModelWriter(
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
   * Writes the model; with {@code fp16} not null, in its q4f16 form ({@link HalfPrecision}, which
   * converts the whole model: then external data, when needed, is written from it).
   */
  long write(
      DecoderGraphBuilder.Built built,
      Fp16Policy fp16,
      Path target,
      List<Path> files,
      Scratch scratch) {
    long total = 0;
    for (LazyTensor t : built.weights()) {
      total += t.byteLength();
    }
    ProgressMeter meter = new ProgressMeter(log, "export", built.weights().size(), total, 2000);
    long embeddedSize = embeddedSize(built);
    if (fp16 == null && (alwaysExternal || embeddedSize > embeddedLimit)) {
      log.info(
          "export: "
              + (alwaysExternal
                  ? Properties.EXPORT_EXTERNAL_DATA + "=true"
                  : String.format(
                      Locale.ROOT,
                      "the model (%,d bytes) is over %s",
                      embeddedSize,
                      embeddedLimit == OnnxWriter.DEFAULT_LIMIT
                          ? "2 GiB"
                          : embeddedLimit + " bytes"))
              + "; writing "
              + target.getFileName()
              + " with external data in chunks of at most "
              + external.chunkBytes()
              + " bytes ("
              + ExternalDataWriter.dataBaseName(target.getFileName().toString())
              + ", "
              + ExternalDataWriter.chunkName(
                  ExternalDataWriter.dataBaseName(target.getFileName().toString()), 1)
              + ", ...)");
      return writeExternal(built, target, files, meter);
    }
    GraphProto.Builder graph = built.skeleton().getGraph().toBuilder();
    for (LazyTensor t : built.weights()) {
      graph.addInitializer(offHeap(t, scratch));
      meter.itemDone(t.name(), t.byteLength());
    }
    ModelProto model = finish(built, graph);
    if (fp16 != null) {
      model = HalfPrecision.convert(model, fp16);
      log.info("export: float16 activations, KV cache and logits; float32 kept: " + fp16.id());
    }
    try {
      if (alwaysExternal || OnnxWriter.serializedSize(model) > embeddedLimit) {
        ExternalDataWriter.Result r = ExternalDataWriter.writeModel(model, target, external);
        files.addAll(r.files());
        return r.modelBytes() + r.dataBytes();
      }
      long n = OnnxWriter.writeEmbedded(model, target, embeddedLimit);
      ExternalDataWriter.deleteChunks(target); // an earlier export's, no longer referenced
      files.add(target);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } catch (UserErrorException e) {
      throw new IllegalStateException(
          "the exported model could not be written: " + e.getMessage(), e);
    }
  }

  /**
   * Streams the weights into external data chunks one at a time (each produced, written and
   * dropped), then writes the model file that references them.
   */
  private long writeExternal(
      DecoderGraphBuilder.Built built, Path target, List<Path> files, ProgressMeter meter) {
    try (ExternalDataWriter w = new ExternalDataWriter(target, external)) {
      GraphProto.Builder graph = built.skeleton().getGraph().toBuilder();
      for (LazyTensor t : built.weights()) {
        graph.addInitializer(
            w.externalizes(t.byteLength()) ? w.write(t.header(), t.bytes()) : t.materialize());
        meter.itemDone(t.name(), t.byteLength());
      }
      ExternalDataWriter.Result r = w.commit(finish(built, graph));
      files.addAll(r.files());
      log.info(
          String.format(
              Locale.ROOT,
              "export: %s (%,d bytes) + %d external data chunk(s) (%,d bytes of %d tensors): %s",
              target.getFileName(),
              r.modelBytes(),
              r.chunks().size(),
              r.tensorBytes(),
              r.tensors(),
              r.chunks().stream()
                  .map(
                      c -> {
                        try {
                          return c.getFileName() + " " + java.nio.file.Files.size(c);
                        } catch (IOException e) {
                          return c.getFileName().toString();
                        }
                      })
                  .collect(java.util.stream.Collectors.joining(", "))));
      long bytes = r.modelBytes() + r.dataBytes();
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } catch (UserErrorException e) {
      throw new IllegalStateException(
          "the exported model could not be written: " + e.getMessage(), e);
    }
  }

  /**
   * The initializer with its data; data produced on the heap (quantized weights) is moved to the
   * memory-mapped scratch file, so that an embedded model near 2 GiB is held in page cache until it
   * is written, not on the heap (which then holds one weight at a time).
   */
  private static TensorProto offHeap(LazyTensor t, Scratch scratch) {
    ByteString bytes = t.bytes();
    if (bytes.size() < (1 << 20) || bytes.asReadOnlyByteBuffer().isDirect()) {
      return t.header().toBuilder().setRawData(bytes).build();
    }
    ByteBuffer dst = scratch.allocate(bytes.size());
    bytes.copyTo(dst);
    dst.rewind();
    return t.header().toBuilder().setRawData(UnsafeByteOperations.unsafeWrap(dst)).build();
  }

  private static ModelProto finish(DecoderGraphBuilder.Built built, GraphProto.Builder graph) {
    GraphProto finished = graph.build();
    if (built.weights().stream().anyMatch(t -> QuantizedWeight.isQ4Name(t.name()))) {
      // The node order the quantize goal writes (onnxruntime's), so that "export q4" and
      // "export fp32, then quantize" give the same bytes.
      finished = NodeOrder.onnxruntimeOrder(finished);
    }
    return built.skeleton().toBuilder().setGraph(finished).build();
  }

  /**
   * The exact size the model would have as one embedded file, computed from the weights' headers
   * and lengths without producing their data.
   */
  static long embeddedSize(DecoderGraphBuilder.Built built) {
    GraphProto skeleton = built.skeleton().getGraph();
    long graph = skeleton.getSerializedSize();
    for (LazyTensor t : built.weights()) {
      long header = t.header().getSerializedSize();
      long full =
          header + 1 + CodedOutputStream.computeUInt64SizeNoTag(t.byteLength()) + t.byteLength();
      graph += 1 + CodedOutputStream.computeUInt64SizeNoTag(full) + full;
    }
    long rest = built.skeleton().toBuilder().clearGraph().build().getSerializedSize();
    return rest + 1 + CodedOutputStream.computeUInt64SizeNoTag(graph) + graph;
  }
}
