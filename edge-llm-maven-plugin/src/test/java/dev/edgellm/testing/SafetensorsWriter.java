package dev.edgellm.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes safetensors files for tests and benchmarks (tensors in insertion order, packed), through a
 * temporary file renamed into place. A tensor's bytes are in memory, or streamed when it is written
 * (for checkpoints larger than the heap).
 */
public final class SafetensorsWriter {
  /** Writes a tensor's little-endian bytes, exactly its {@code byteLength}. */
  @FunctionalInterface
  public interface Data {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** One tensor: dtype string, shape, its size in bytes and where its bytes come from. */
  public record Entry(String dtype, long[] shape, long byteLength, Data source) {
    /** The bytes of a tensor held in memory. */
    public byte[] data() {
      if (source instanceof Bytes b) {
        return b.bytes();
      }
      throw new IllegalStateException("a streamed tensor has no bytes in memory");
    }
  }

  private record Bytes(byte[] bytes) implements Data {
    @Override
    public void writeTo(FileChannel channel) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }
  }

  private final Map<String, Entry> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafetensorsWriter put(String name, String dtype, long[] shape, byte[] data) {
    tensors.put(name, new Entry(dtype, shape, data.length, new Bytes(data)));
    return this;
  }

  /** A tensor of {@code byteLength} bytes that {@code data} writes when the file is written. */
  public SafetensorsWriter putStreamed(
      String name, String dtype, long[] shape, long byteLength, Data data) {
    tensors.put(name, new Entry(dtype, shape, byteLength, data));
    return this;
  }

  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public Map<String, Entry> tensors() {
    return tensors;
  }

  /** The JSON header with offsets as a packed layout gives them. */
  public ObjectNode header() {
    ObjectNode h = Json.MAPPER.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = h.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long off = 0;
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      ObjectNode t = h.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype());
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      var offs = t.putArray("data_offsets");
      offs.add(off);
      off += e.getValue().byteLength();
      offs.add(off);
    }
    return h;
  }

  public void write(Path file) throws IOException {
    write(file, header());
  }

  /** Writes with a given (possibly corrupted) header. */
  public void write(Path file, ObjectNode header) throws IOException {
    byte[] h = Json.MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(
        file,
        ch -> {
          ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
          new Bytes(len.array()).writeTo(ch);
          new Bytes(h).writeTo(ch);
          for (Entry e : tensors.values()) {
            long before = ch.position();
            e.source().writeTo(ch);
            if (ch.position() - before != e.byteLength()) {
              throw new IllegalStateException(
                  "tensor data of " + (ch.position() - before) + " bytes, not " + e.byteLength());
            }
          }
        });
  }

  /** Reads an existing safetensors file's tensors (packed, in file order) into a writer. */
  public static SafetensorsWriter copyOf(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    var root = Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
    SafetensorsWriter w = new SafetensorsWriter();
    java.util.List<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> entries =
        new java.util.ArrayList<>();
    root.fields().forEachRemaining(entries::add);
    entries.sort(
        java.util.Comparator.comparingLong(
            e -> e.getValue().path("data_offsets").path(0).asLong()));
    for (var e : entries) {
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(m -> w.metadata(m.getKey(), m.getValue().asText()));
        continue;
      }
      var v = e.getValue();
      long[] shape = new long[v.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = v.get("shape").get(i).asLong();
      }
      int b = (int) (8 + n + v.get("data_offsets").get(0).asLong());
      int en = (int) (8 + n + v.get("data_offsets").get(1).asLong());
      w.put(e.getKey(), v.get("dtype").asText(), shape, java.util.Arrays.copyOfRange(all, b, en));
    }
    return w;
  }
}
