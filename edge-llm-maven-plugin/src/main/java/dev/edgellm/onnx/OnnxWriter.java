package dev.edgellm.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.FunctionProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.SparseTensorProto;
import dev.edgellm.onnx.proto.TrainingInfoProto;
import dev.edgellm.util.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes ONNX models, in either form:
 *
 * <ul>
 *   <li>{@link #writeEmbedded one file}: the model is streamed to disk (no whole-model byte array)
 *       and refused beforehand when it would exceed the limit, by default protobuf's 2 GiB;
 *   <li>{@link #writeWithExternalData {@code model.onnx} + {@code model.onnx_data}}: tensors of at
 *       least {@code threshold} bytes go, in model order and at offsets aligned to {@code
 *       alignment}, into a data file beside the model (continued in {@code model.onnx_data_1}, …
 *       past 2 GiB), the only way to store a model over 2 GB; {@link ExternalDataWriter} writes the
 *       chunked layout Transformers.js fetches and streams tensors as they are produced.
 * </ul>
 *
 * <p>Both write to a temporary file in the target folder and rename it into place, so a failure
 * never leaves a half-written model. Output is deterministic: the same model gives the same bytes.
 * Tensor data must be inline {@code raw_data} (as {@link OnnxModel#read} provides it); tensors
 * still marked external are refused.
 */
public final class OnnxWriter {
  private OnnxWriter() {}

  /** Default size limit of an embedded model: protobuf's hard limit, 2 GiB - 1 byte. */
  public static final long DEFAULT_LIMIT = OnnxModel.PROTOBUF_LIMIT;

  /** Tensors of at least this many bytes go to the data file by default (as in onnx's saver). */
  public static final long DEFAULT_EXTERNAL_THRESHOLD = 1024;

  /** Default alignment of tensor offsets in the data file: a memory page. */
  public static final int DEFAULT_ALIGNMENT = 4096;

  private static final int CHUNK = 1 << 20;

  /** What {@link #writeWithExternalData} wrote. */
  public record ExternalDataResult(
      Path model, Path data, long modelBytes, long dataBytes, int externalTensors) {}

  /**
   * Writes {@code model} as one file, refusing it if it would exceed {@link #DEFAULT_LIMIT}.
   *
   * @return the number of bytes written
   * @throws ModelTooLargeException before writing anything, if the model is too large
   */
  public static long writeEmbedded(ModelProto model, Path target)
      throws ModelTooLargeException, OnnxFormatException, IOException {
    return writeEmbedded(model, target, DEFAULT_LIMIT);
  }

  /**
   * Writes {@code model} as one file of at most {@code limitBytes} (tests lower the limit to
   * exercise the refusal without a 2 GB file).
   *
   * @return the number of bytes written
   * @throws ModelTooLargeException before writing anything, if the model's serialized size exceeds
   *     {@code limitBytes}; the message gives the size and the fix
   * @throws OnnxFormatException if a tensor is still marked as external data
   */
  public static long writeEmbedded(ModelProto model, Path target, long limitBytes)
      throws ModelTooLargeException, OnnxFormatException, IOException {
    requireInline(model);
    long size = serializedSize(model);
    if (size > limitBytes && limitBytes < DEFAULT_LIMIT) {
      throw new ModelTooLargeException(
          String.format(
              Locale.ROOT,
              "the model for %s would be %,d bytes (%.1f MB), over the limit of %,d bytes set by "
                  + Properties.MAX_MODEL_BYTES
                  + "; raise it (up to 2147483647, protobuf's limit for one file),"
                  + " make the model smaller (4-bit weights are 1/8 of fp32) or write it with external"
                  + " data (model.onnx + model.onnx_data)",
              target,
              size,
              size / 1048576.0,
              limitBytes),
          size,
          limitBytes);
    }
    if (size > limitBytes) {
      throw new ModelTooLargeException(
          String.format(
              Locale.ROOT,
              "the model for %s would be %,d bytes (%.2f GiB), over the %,d-byte (%.2f GiB) limit"
                  + " of a single ONNX file (protobuf cannot hold more); quantize it (4-bit weights"
                  + " are 1/8 of fp32) or write it with external data (model.onnx +"
                  + " model.onnx_data)",
              target,
              size,
              size / (double) (1L << 30),
              limitBytes,
              limitBytes / (double) (1L << 30)),
          size,
          limitBytes);
    }
    AtomicFiles.write(target, ch -> writeProto(model, ch));
    return size;
  }

  /**
   * Writes {@code model} as {@code target} plus a data file {@code <target name>_data} beside it,
   * with the defaults {@link #DEFAULT_EXTERNAL_THRESHOLD} and {@link #DEFAULT_ALIGNMENT}.
   */
  public static ExternalDataResult writeWithExternalData(ModelProto model, Path target)
      throws OnnxFormatException, IOException {
    return writeWithExternalData(
        model,
        target,
        target.getFileName() + "_data",
        DEFAULT_EXTERNAL_THRESHOLD,
        DEFAULT_ALIGNMENT);
  }

  /**
   * Writes {@code model} as {@code target} plus one data file {@code dataFileName} in the same
   * folder (through {@link ExternalDataWriter}, with chunks of up to 2 GiB - 1: data past that
   * continues in {@code <dataFileName>_1}, …). Every tensor (initializers, tensor attributes,
   * subgraphs) whose {@code raw_data} has at least {@code thresholdBytes} bytes is stored in the
   * data file at the next offset that is a multiple of {@code alignment} (gaps filled with zeros),
   * and referenced by {@code location}, {@code offset} and {@code length}. Smaller tensors stay in
   * the model file. If no tensor reaches the threshold the data file is still written (empty), so
   * the pair always exists together.
   *
   * @param dataFileName a plain file name (no folder), e.g. {@code model.onnx_data}
   * @throws OnnxFormatException if the remaining model file would still exceed 2 GiB (lower the
   *     threshold), or a tensor is still marked as external data
   */
  public static ExternalDataResult writeWithExternalData(
      ModelProto model, Path target, String dataFileName, long thresholdBytes, int alignment)
      throws OnnxFormatException, IOException {
    ExternalDataWriter.Result r =
        ExternalDataWriter.writeModel(
            model,
            target,
            dataFileName,
            new ExternalDataWriter.Options(
                ExternalDataWriter.MAX_CHUNK_BYTES, thresholdBytes, alignment));
    return new ExternalDataResult(
        r.model(), r.chunks().get(0), r.modelBytes(), r.dataBytes(), r.tensors());
  }

  /**
   * Writes {@code model} as it is, tensors referencing external data included (e.g. {@link
   * OnnxModel#stored} with its locations renamed), to a temporary name renamed onto {@code target}.
   *
   * @return the number of bytes written
   */
  public static long writeStored(ModelProto model, Path target)
      throws OnnxFormatException, IOException {
    long size = serializedSize(model);
    if (size > DEFAULT_LIMIT) {
      throw new OnnxFormatException(
          "the model for " + target + " would be " + size + " bytes, over protobuf's 2 GiB limit");
    }
    AtomicFiles.write(target, ch -> writeProto(model, ch));
    return size;
  }

  static void requireInline(ModelProto model) throws OnnxFormatException, IOException {
    ModelTensors.forEach(
        model,
        (t, where) -> {
          if (Tensors.isExternal(t)) {
            throw new OnnxFormatException(
                "tensor '"
                    + t.getName()
                    + "' ("
                    + where
                    + ") still refers to external data;"
                    + " read the model with OnnxModel.read, which maps it inline");
          }
        });
  }

  static void writeProto(ModelProto model, FileChannel ch) throws IOException {
    OutputStream out = new ChannelOutput(ch);
    CodedOutputStream cos = CodedOutputStream.newInstance(out, CHUNK);
    model.writeTo(cos);
    cos.flush();
  }

  /** Writes all of {@code buf} (from its position) in slices of at most 1 MiB. */
  static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    ByteBuffer b = buf.duplicate();
    while (b.hasRemaining()) {
      int n = Math.min(b.remaining(), CHUNK);
      ByteBuffer slice = b.slice(b.position(), n);
      while (slice.hasRemaining()) {
        ch.write(slice);
      }
      b.position(b.position() + n);
    }
  }

  /**
   * The size the model would have serialized, computed without the {@code int} overflow of
   * protobuf's {@code getSerializedSize()} for models over 2 GiB.
   */
  public static long serializedSize(ModelProto model) {
    return size(model);
  }

  private static long size(Message m) {
    if (!mayHoldTensors(m)) {
      return m.getSerializedSize();
    }
    Message.Builder rest = m.toBuilder();
    long nested = 0;
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor fd = e.getKey();
      if (fd.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      rest.clearField(fd);
      int tag = CodedOutputStream.computeTagSize(fd.getNumber());
      List<?> values = fd.isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
      for (Object v : values) {
        long s = size((Message) v);
        nested += tag + CodedOutputStream.computeUInt64SizeNoTag(s) + s;
      }
    }
    return rest.build().getSerializedSize() + nested;
  }

  private static boolean mayHoldTensors(Message m) {
    if (m instanceof NodeProto) {
      return ((NodeProto) m).getAttributeList().stream().anyMatch(ModelTensors::mayHoldTensors);
    }
    return m instanceof ModelProto
        || m instanceof GraphProto
        || m instanceof AttributeProto
        || m instanceof FunctionProto
        || m instanceof TrainingInfoProto
        || m instanceof SparseTensorProto;
  }

  /** An OutputStream over a FileChannel that never hands the JDK more than 1 MiB at once. */
  private static final class ChannelOutput extends OutputStream {
    private final FileChannel ch;

    ChannelOutput(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public void write(int b) throws IOException {
      writeFully(ch, ByteBuffer.wrap(new byte[] {(byte) b}));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writeFully(ch, ByteBuffer.wrap(b, off, len));
    }
  }

  /** True if {@code a} and {@code b} name the same file (following links when both exist). */
  public static boolean sameFile(Path a, Path b) throws IOException {
    Path x = a.toAbsolutePath().normalize();
    Path y = b.toAbsolutePath().normalize();
    if (x.equals(y)) {
      return true;
    }
    return Files.exists(x) && Files.exists(y) && Files.isSameFile(x, y);
  }
}
