package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the data. The header is parsed and checked when the file is
 * opened (lengths, ranges, overlaps, dtypes); tensor data is memory-mapped on demand, never copied
 * to the heap.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Headers larger than this are refused (the format's own limit). */
  public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      FileChannel channel,
      long dataStart,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and validates a safetensors file. */
  public static SafetensorsFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(
          path
              + " does not exist; point the checkpoint at a folder holding the model's safetensors files");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path, e);
    }
    try {
      return parse(path, ch);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static SafetensorsFile parse(Path path, FileChannel ch) throws IOException {
    long size = ch.size();
    String fix = "; the file is damaged or incomplete: download or save the checkpoint again";
    if (size < 8) {
      throw new CheckpointException(
          path + " is truncated: " + size + " bytes, shorter than the 8-byte header length" + fix);
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0);
    long headerLen = lenBuf.flip().getLong();
    if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
      throw new CheckpointException(
          path
              + ": header length "
              + Long.toUnsignedString(headerLen)
              + " bytes is over the 100 MB limit of the safetensors format"
              + fix);
    }
    if (8 + headerLen > size) {
      throw new CheckpointException(
          path
              + " is truncated: the header claims "
              + headerLen
              + " bytes but the file has only "
              + (size - 8)
              + " after the length"
              + fix);
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, 8);
    JsonNode root;
    try {
      root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CheckpointException(
          path + ": the header is not valid JSON (" + e.getMessage() + ")" + fix);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(path + ": the header is not a JSON object" + fix);
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (name.equals("__metadata__")) {
        if (v.isObject()) {
          v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        }
        continue;
      }
      tensors.put(name, tensorInfo(path, name, v, dataLen, fix));
    }
    checkOverlaps(path, tensors, fix);
    return new SafetensorsFile(
        path,
        ch,
        dataStart,
        Collections.unmodifiableMap(tensors),
        Collections.unmodifiableMap(metadata));
  }

  private static TensorInfo tensorInfo(
      Path path, String name, JsonNode v, long dataLen, String fix) {
    String where = path + ": tensor '" + name + "'";
    if (!v.isObject()
        || !v.has("dtype")
        || !v.path("shape").isArray()
        || !v.path("data_offsets").isArray()
        || v.get("data_offsets").size() != 2) {
      throw new CheckpointException(
          where + " has no valid dtype/shape/data_offsets entry in the header" + fix);
    }
    String dt = v.get("dtype").asText();
    DType dtype = DType.parse(dt);
    if (dtype == null) {
      throw new CheckpointException(
          where
              + " has dtype "
              + dt
              + ", which this reader does not know; supported weight dtypes are F32, F16 and BF16:"
              + " save the checkpoint in one of them (e.g. model.to(torch.bfloat16).save_pretrained(...))");
    }
    long[] shape = new long[v.get("shape").size()];
    long elems = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = v.get("shape").get(i).asLong(-1);
      if (shape[i] < 0) {
        throw new CheckpointException(where + " has a negative dimension in its shape" + fix);
      }
      try {
        elems = Math.multiplyExact(elems, shape[i]);
      } catch (ArithmeticException overflow) {
        throw new CheckpointException(
            where
                + " has shape "
                + v.get("shape")
                + ", whose element count is over 2^63 (no file can hold it)"
                + fix);
      }
    }
    long begin = v.get("data_offsets").get(0).asLong(-1);
    long end = v.get("data_offsets").get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataLen) {
      throw new CheckpointException(
          where
              + " has data_offsets ["
              + begin
              + ", "
              + end
              + "] outside the file's "
              + dataLen
              + " data bytes (the file is truncated or its header is wrong)"
              + fix);
    }
    // elems * bytes can overflow too; in range, it must equal the covered length
    if (elems > Long.MAX_VALUE / dtype.bytes() || end - begin != elems * dtype.bytes()) {
      throw new CheckpointException(
          where
              + " covers "
              + (end - begin)
              + " bytes but "
              + dtype
              + " "
              + java.util.Arrays.toString(shape)
              + " needs "
              + (elems > Long.MAX_VALUE / dtype.bytes()
                  ? "over 2^63"
                  : Long.toString(elems * dtype.bytes()))
              + fix);
    }
    return new TensorInfo(name, dtype, shape, begin, end, path);
  }

  private static void checkOverlaps(Path path, Map<String, TensorInfo> tensors, String fix) {
    List<TensorInfo> sorted = new ArrayList<>(tensors.values());
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    TensorInfo prev = null;
    for (TensorInfo t : sorted) {
      if (t.byteLength() == 0) {
        continue;
      }
      if (prev != null && t.begin() < prev.end()) {
        throw new CheckpointException(
            path
                + ": tensors '"
                + prev.name()
                + "' ["
                + prev.begin()
                + ", "
                + prev.end()
                + ") and '"
                + t.name()
                + "' ["
                + t.begin()
                + ", "
                + t.end()
                + ") overlap"
                + fix);
      }
      prev = t;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  public Path path() {
    return path;
  }

  /** Tensors in header order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The header's {@code __metadata__} entries (string to string). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Memory-maps a tensor's bytes, little-endian. */
  public ByteBuffer map(TensorInfo t) {
    if (t.byteLength() > Integer.MAX_VALUE) {
      throw new CheckpointException(
          path
              + ": tensor '"
              + t.name()
              + "' is over 2 GiB; split the checkpoint into smaller shards");
    }
    try {
      MappedByteBuffer b =
          channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
      return b.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map " + t.name() + " of " + path, e);
    }
  }

  /** Reads a tensor as float32 (F32, F16 or BF16 converted exactly). */
  public float[] readFloats(TensorInfo t) {
    return DTypes.toFloats(map(t), t);
  }

  /** Reads an I64 tensor. */
  public long[] readLongs(TensorInfo t) {
    if (t.dtype() != DType.I64) {
      throw new CheckpointException(
          path + ": tensor '" + t.name() + "' is " + t.dtype() + ", expected I64");
    }
    ByteBuffer b = map(t);
    long[] out = new long[(int) t.elements()];
    b.asLongBuffer().get(out);
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
