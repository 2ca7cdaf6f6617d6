package dev.edgellm.onnx;

import com.google.protobuf.ByteString;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model with external data in the layout Transformers.js fetches: {@code model.onnx} plus
 * chunks {@code model.onnx_data}, {@code model.onnx_data_1}, {@code model.onnx_data_2}, … beside it
 * ({@code use_external_data_format} in config.json gives their count). Tensors are streamed: the
 * caller hands each tensor's bytes to {@link #write} as it produces them, in model order, and only
 * that tensor is in memory; {@link #commit} then writes the model file, which references them.
 *
 * <p>Each tensor lies whole in one chunk at an offset that is a multiple of the alignment (4096 by
 * default, a memory page, as onnxruntime aligns the tensors it saves, so they can be
 * memory-mapped); the gaps are zeros. A chunk is closed when the next tensor would take it over the
 * chunk size; a tensor larger than the chunk size gets a chunk of its own. No chunk reaches 2 GiB
 * (what one browser {@code ArrayBuffer}, and so Transformers.js, can hold). Locations are bare file
 * names.
 *
 * <p>Everything is written to temporary names; {@link #commit} renames the chunks and then the
 * model into place and deletes chunks of an earlier write beyond the new count, {@link #close}
 * without a commit deletes the temporaries. The same tensors in the same order give the same bytes.
 */
public final class ExternalDataWriter implements AutoCloseable {
  /** Default chunk size: 1 GiB, well under the 2 GiB a browser can fetch into one buffer. */
  public static final long DEFAULT_CHUNK_BYTES = 1L << 30;

  /** Largest chunk (and so tensor): 2 GiB - 1 byte. */
  public static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE;

  /** Most chunks Transformers.js 4.x fetches for one model ({@code MAX_EXTERNAL_DATA_CHUNKS}). */
  public static final int MAX_CHUNKS = 100;

  /** How the data is laid out. */
  public record Options(long chunkBytes, long thresholdBytes, int alignment) {
    /** 1 GiB chunks; tensors of 1 KiB or more external (as onnx's saver); 4096-byte alignment. */
    public static final Options DEFAULT =
        new Options(
            DEFAULT_CHUNK_BYTES,
            OnnxWriter.DEFAULT_EXTERNAL_THRESHOLD,
            OnnxWriter.DEFAULT_ALIGNMENT);

    public Options {
      if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
        throw new IllegalArgumentException(
            "chunk size must be 1 to " + MAX_CHUNK_BYTES + " bytes: " + chunkBytes);
      }
      if (alignment < 1) {
        throw new IllegalArgumentException("alignment must be >= 1: " + alignment);
      }
    }

    /** The same options with chunks of {@code bytes}. */
    public Options withChunkBytes(long bytes) {
      return new Options(bytes, thresholdBytes, alignment);
    }
  }

  /**
   * When a goal writes external data: {@code always}, or only when the model does not fit in one
   * file; in chunks of at most {@code chunkBytes}.
   */
  public record Policy(boolean always, long chunkBytes) {
    /** External data only when needed, 1 GiB chunks. */
    public static final Policy WHEN_NEEDED = new Policy(false, DEFAULT_CHUNK_BYTES);

    /** Whether {@code chunkBytes} is a valid chunk size (1 to 2 GiB - 1). */
    public boolean validChunkSize() {
      return chunkBytes >= 1 && chunkBytes <= MAX_CHUNK_BYTES;
    }

    /** The layout options for this chunk size. */
    public Options options() {
      return Options.DEFAULT.withChunkBytes(chunkBytes);
    }
  }

  /**
   * What {@link #commit} wrote: the model file and its size, the chunks and their total size
   * (alignment gaps included), the bytes and number of the tensors in them.
   */
  public record Result(
      Path model,
      List<Path> chunks,
      long modelBytes,
      long dataBytes,
      long tensorBytes,
      int tensors) {
    /** The model and its chunks. */
    public List<Path> files() {
      List<Path> all = new ArrayList<>();
      all.add(model);
      all.addAll(chunks);
      return List.copyOf(all);
    }
  }

  /**
   * The name of chunk {@code index} of {@code dataBaseName} ({@code model.onnx_data}): the base
   * name itself for 0, else {@code <base>_<index>}, as Transformers.js names them.
   */
  public static String chunkName(String dataBaseName, int index) {
    return index == 0 ? dataBaseName : dataBaseName + "_" + index;
  }

  /** The data base name of a model file: {@code model.onnx} → {@code model.onnx_data}. */
  public static String dataBaseName(String modelFileName) {
    return modelFileName + "_data";
  }

  /**
   * The index of {@code fileName} as a chunk of {@code dataBaseName}, or -1 when it is not one
   * ({@code model.onnx_data} → 0, {@code model.onnx_data_3} → 3, {@code model.onnx_data_03} → -1).
   */
  public static int chunkIndex(String fileName, String dataBaseName) {
    if (fileName.equals(dataBaseName)) {
      return 0;
    }
    String prefix = dataBaseName + "_";
    if (!fileName.startsWith(prefix)) {
      return -1;
    }
    String digits = fileName.substring(prefix.length());
    if (digits.isEmpty()
        || digits.length() > 4
        || digits.startsWith("0")
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(digits);
  }

  private final Path target;
  private final String dataBaseName;
  private final Options options;
  private final List<Path> temps = new ArrayList<>();
  private final List<Path> finals = new ArrayList<>();
  private FileChannel current;
  private long end;
  private long dataBytes;
  private long closedChunkBytes;
  private int tensors;
  private boolean committed;

  /** A writer of {@code target} with chunks named after it ({@code <target>_data...}). */
  public ExternalDataWriter(Path target, Options options) {
    this(target, dataBaseName(target.getFileName().toString()), options);
  }

  /** A writer of {@code target} with chunks {@code dataBaseName}, {@code dataBaseName_1}, … */
  public ExternalDataWriter(Path target, String dataBaseName, Options options) {
    if (dataBaseName.isEmpty()
        || dataBaseName.contains("/")
        || dataBaseName.contains("\\")
        || dataBaseName.contains("..")) {
      throw new IllegalArgumentException("dataBaseName must be a plain file name: " + dataBaseName);
    }
    this.target = target.toAbsolutePath().normalize();
    this.dataBaseName = dataBaseName;
    this.options = options;
  }

  /** Whether a tensor of {@code length} bytes goes to the data (else it stays in the model). */
  public boolean externalizes(long length) {
    return length > 0 && length >= options.thresholdBytes();
  }

  /**
   * Writes the data of one tensor and returns {@code header} (the tensor without its data)
   * referencing it by {@code location}, {@code offset} and {@code length}.
   *
   * @throws OnnxFormatException if the tensor is 2 GiB or more, or would need more than {@link
   *     #MAX_CHUNKS} chunks
   */
  public TensorProto write(TensorProto header, ByteString data)
      throws OnnxFormatException, IOException {
    long length = data.size();
    if (length > MAX_CHUNK_BYTES) {
      throw new OnnxFormatException(
          "tensor '"
              + header.getName()
              + "' is "
              + length
              + " bytes, 2 GiB or more: it cannot be"
              + " stored in one external data chunk");
    }
    long offset = align(end);
    if (current == null || (end > 0 && offset + length > options.chunkBytes())) {
      nextChunk();
      offset = 0;
    }
    if (offset > end) {
      OnnxWriter.writeFully(current, ByteBuffer.allocate((int) (offset - end)));
    }
    OnnxWriter.writeFully(current, data.asReadOnlyByteBuffer());
    end = offset + length;
    dataBytes += length;
    tensors++;
    return header.toBuilder()
        .clearRawData()
        .clearExternalData()
        .addExternalData(entry("location", chunkName(dataBaseName, temps.size() - 1)))
        .addExternalData(entry("offset", Long.toString(offset)))
        .addExternalData(entry("length", Long.toString(length)))
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .build();
  }

  /**
   * Like {@link #write} for a tensor with inline {@code raw_data}: moves it to the data when {@link
   * #externalizes} says so, else returns it unchanged.
   */
  public TensorProto place(TensorProto tensor) throws OnnxFormatException, IOException {
    if (!tensor.hasRawData() || !externalizes(tensor.getRawData().size())) {
      return tensor;
    }
    return write(tensor.toBuilder().clearRawData().build(), tensor.getRawData());
  }

  private long align(long pos) {
    long a = options.alignment();
    return (pos + a - 1) / a * a;
  }

  private void nextChunk() throws OnnxFormatException, IOException {
    if (temps.size() == MAX_CHUNKS) {
      throw new OnnxFormatException(
          "the external data of "
              + target
              + " would need more than "
              + MAX_CHUNKS
              + " chunks, the most Transformers.js loads; raise the chunk size");
    }
    closeCurrent();
    closedChunkBytes += end;
    Path finalPath = target.resolveSibling(chunkName(dataBaseName, temps.size()));
    Path temp = AtomicFiles.createTemp(finalPath);
    temps.add(temp);
    finals.add(finalPath);
    current = FileChannel.open(temp, StandardOpenOption.WRITE);
    end = 0;
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  /**
   * Writes {@code model} (whose tensors {@link #write} returned) as the model file, then renames
   * the chunks and the model into place. A model with no external tensor still gets one (empty)
   * chunk, so that the files always come together.
   *
   * @throws OnnxFormatException if the model file itself would exceed 2 GiB
   */
  public Result commit(ModelProto model) throws OnnxFormatException, IOException {
    long modelSize = OnnxWriter.serializedSize(model);
    if (modelSize > OnnxWriter.DEFAULT_LIMIT) {
      throw new OnnxFormatException(
          "the model for "
              + target
              + " would be "
              + modelSize
              + " bytes even with tensors of "
              + options.thresholdBytes()
              + " bytes or more in external data; lower the external data threshold");
    }
    if (temps.isEmpty()) {
      nextChunk();
    }
    closeCurrent();
    Path modelTemp = AtomicFiles.createTemp(target);
    try {
      try (FileChannel ch = FileChannel.open(modelTemp, StandardOpenOption.WRITE)) {
        OnnxWriter.writeProto(model, ch);
      }
      for (int i = 0; i < temps.size(); i++) {
        AtomicFiles.moveIntoPlace(temps.get(i), finals.get(i));
      }
      AtomicFiles.moveIntoPlace(modelTemp, target);
    } catch (IOException | RuntimeException | Error e) {
      AtomicFiles.deleteQuietly(modelTemp, e);
      throw e;
    }
    committed = true;
    for (int i = temps.size(); i <= MAX_CHUNKS; i++) {
      Files.deleteIfExists(target.resolveSibling(chunkName(dataBaseName, i)));
    }
    return new Result(
        target, List.copyOf(finals), modelSize, closedChunkBytes + end, dataBytes, tensors);
  }

  /**
   * Deletes the chunks named after {@code model} ({@code <model>_data}, {@code <model>_data_1}, …)
   * that an earlier write left, e.g. before the model is written as one embedded file again.
   */
  public static void deleteChunks(Path model) throws IOException {
    Path abs = model.toAbsolutePath().normalize();
    String base = dataBaseName(abs.getFileName().toString());
    for (int i = 0; i <= MAX_CHUNKS; i++) {
      Files.deleteIfExists(abs.resolveSibling(chunkName(base, i)));
    }
  }

  /** Deletes the temporaries unless {@link #commit} succeeded. */
  @Override
  public void close() throws IOException {
    closeCurrent();
    if (!committed) {
      for (Path t : temps) {
        AtomicFiles.deleteQuietly(t, null);
      }
    }
  }

  /**
   * Writes {@code model} (tensor data inline, e.g. as {@link OnnxModel#read} maps it) with every
   * tensor of at least the threshold in external data chunks beside {@code target}.
   */
  public static Result writeModel(ModelProto model, Path target, Options options)
      throws OnnxFormatException, IOException {
    return writeModel(model, target, dataBaseName(target.getFileName().toString()), options);
  }

  /** {@link #writeModel(ModelProto, Path, Options)} with chunks named {@code dataBaseName...}. */
  public static Result writeModel(
      ModelProto model, Path target, String dataBaseName, Options options)
      throws OnnxFormatException, IOException {
    OnnxWriter.requireInline(model);
    try (ExternalDataWriter w = new ExternalDataWriter(target, dataBaseName, options)) {
      ModelProto external = ModelTensors.rewrite(model, (t, where) -> w.place(t));
      return w.commit(external);
    }
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
