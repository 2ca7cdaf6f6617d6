package dev.edgellm.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An ONNX model read from disk, its tensor data memory-mapped rather than copied onto the heap.
 *
 * <p>{@link #read(Path)} maps the {@code .onnx} file and parses it with aliasing, so every {@code
 * raw_data} of the returned {@link #proto()} is a view of the mapping. Tensors stored as external
 * data ({@code data_location = EXTERNAL} with {@code location}/{@code offset}/{@code length}) are
 * resolved, checked and replaced by tensors whose {@code raw_data} is a view of the mapped data
 * file: the proto is self-contained, so callers never deal with external data, and writing it with
 * {@link OnnxWriter} produces either form. Use {@link Tensors#data(TensorProto)} to read a tensor's
 * bytes as a little-endian {@link ByteBuffer}.
 *
 * <p>Checks made while reading, each failing with an {@link OnnxFormatException} that names the
 * file and the fix: the file is a protobuf {@code ModelProto} with an IR version, a graph and opset
 * imports; every tensor's data has exactly the size its type and shape need; an external data
 * {@code location} is relative, has no {@code ..}, exists, and resolves (following symlinks) inside
 * the model's folder; {@code offset + length} lies inside the data file.
 *
 * <p>Close the model when done (it closes the files; the mappings themselves are released by the
 * garbage collector once no view is reachable). The views must not be used after the files change.
 */
public final class OnnxModel implements AutoCloseable {
  /** protobuf (and so ONNX) cannot read a serialized message of 2 GiB or more. */
  public static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

  private final Path file;
  private final ModelProto proto;
  private final long fileSize;
  private final long externalDataSize;
  private final List<Path> externalFiles;
  private final List<ExternalFile> externalData;
  private final ModelProto stored;
  private final List<FileChannel> channels;

  /**
   * One external data file as the model's tensors use it.
   *
   * @param location the {@code location} the tensors give (a bare file name)
   * @param file the file (real path)
   * @param size the file's size
   * @param tensors how many tensors live in it
   * @param bytes their bytes
   * @param end the end of the last byte a tensor uses
   */
  public record ExternalFile(
      String location, Path file, long size, int tensors, long bytes, long end) {}

  private OnnxModel(
      Path file,
      ModelProto proto,
      long fileSize,
      long externalDataSize,
      List<Path> externalFiles,
      List<ExternalFile> externalData,
      ModelProto stored,
      List<FileChannel> channels) {
    this.file = file;
    this.proto = proto;
    this.fileSize = fileSize;
    this.externalDataSize = externalDataSize;
    this.externalFiles = externalFiles;
    this.externalData = externalData;
    this.stored = stored;
    this.channels = channels;
  }

  /**
   * Reads a model from one {@code .onnx} file, or from a {@code .onnx} file with its external data
   * files beside it.
   *
   * @throws OnnxFormatException if the file is missing, not an ONNX model, truncated, or its
   *     external data is missing, unsafe or out of range (the message says which and the fix)
   * @throws IOException if reading fails for another reason
   */
  public static OnnxModel read(Path file) throws OnnxFormatException, IOException {
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new OnnxFormatException("ONNX model " + abs + " does not exist; check the path");
    }
    if (!Files.isRegularFile(abs)) {
      throw new OnnxFormatException(
          "ONNX model " + abs + " is not a file; point at the .onnx file");
    }
    List<FileChannel> channels = new ArrayList<>();
    boolean ok = false;
    try {
      FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ);
      channels.add(ch);
      long size = ch.size();
      if (size > PROTOBUF_LIMIT) {
        throw new OnnxFormatException(
            "ONNX model "
                + abs
                + " is "
                + size
                + " bytes, more than protobuf's 2 GiB limit, so it"
                + " is not a valid ONNX file; save the model with external data"
                + " (model.onnx + model.onnx_data)");
      }
      ModelProto proto = parse(abs, ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
      ExternalData ext = new ExternalData(abs, channels);
      ModelProto resolved = ModelTensors.rewrite(proto, ext::resolve);
      ok = true;
      return new OnnxModel(
          abs,
          ext.count == 0 ? proto : resolved,
          size,
          ext.bytes,
          ext.files(),
          ext.locations(),
          proto,
          List.copyOf(channels));
    } finally {
      if (!ok) {
        closeAll(channels);
      }
    }
  }

  private static ModelProto parse(Path file, MappedByteBuffer map) throws OnnxFormatException {
    if (map.capacity() == 0) {
      throw new OnnxFormatException(
          "ONNX model " + file + " is empty (0 bytes); export the model again");
    }
    ModelProto proto;
    try {
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      proto = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxFormatException(
          "ONNX model "
              + file
              + " is truncated or not an ONNX model ("
              + e.getMessage()
              + "); export or download it again",
          e);
    } catch (IOException e) {
      throw new OnnxFormatException(
          "ONNX model " + file + " cannot be parsed (" + e.getMessage() + ")", e);
    }
    if (!proto.hasIrVersion() || !proto.hasGraph() || proto.getOpsetImportCount() == 0) {
      throw new OnnxFormatException(
          "ONNX model "
              + file
              + " is truncated or not an ONNX model (it has no "
              + (!proto.hasIrVersion()
                  ? "ir_version"
                  : !proto.hasGraph() ? "graph" : "opset_import")
              + "); export or download it again");
    }
    return proto;
  }

  /** The model with all tensor data inline ({@code raw_data} views of the mapped files). */
  public ModelProto proto() {
    return proto;
  }

  /** The {@code .onnx} file, absolute and normalized. */
  public Path file() {
    return file;
  }

  /** The folder of the {@code .onnx} file (where external data must live). */
  public Path folder() {
    return file.getParent();
  }

  /** Size of the {@code .onnx} file in bytes. */
  public long fileSize() {
    return fileSize;
  }

  /** Bytes of tensor data read from external data files (0 for a single-file model). */
  public long externalDataSize() {
    return externalDataSize;
  }

  /** {@link #fileSize()} plus {@link #externalDataSize()}. */
  public long totalSize() {
    return fileSize + externalDataSize;
  }

  /** The external data files the model used (real paths), empty for a single-file model. */
  public List<Path> externalFiles() {
    return externalFiles;
  }

  /**
   * The external data files by the {@code location} the tensors name, in the order first met, with
   * what they hold; empty for a single-file model.
   */
  public List<ExternalFile> externalData() {
    return externalData;
  }

  /**
   * The model as stored in the {@code .onnx} file: external data still referenced by {@code
   * location}, {@code offset} and {@code length} (checked), not inline.
   */
  public ModelProto stored() {
    return stored;
  }

  /** Closes the files. Views stay readable until garbage-collected, but do not rely on it. */
  @Override
  public void close() throws IOException {
    closeAll(channels);
  }

  private static void closeAll(List<FileChannel> channels) throws IOException {
    IOException first = null;
    for (FileChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
