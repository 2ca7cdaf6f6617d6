package dev.edgellm.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files for tests and benchmarks (tensors in insertion order, packed). */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tensor: dtype string, shape, little-endian bytes. */
  public record Entry(String dtype, long[] shape, byte[] data) {}

  private final Map<String, Entry> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafetensorsWriter put(String name, String dtype, long[] shape, byte[] data) {
    tensors.put(name, new Entry(dtype, shape, data));
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
    ObjectNode h = JSON.createObjectNode();
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
      off += e.getValue().data().length;
      offs.add(off);
    }
    return h;
  }

  public void write(Path file) throws IOException {
    write(file, header());
  }

  /** Writes with a given (possibly corrupted) header. */
  public void write(Path file, ObjectNode header) throws IOException {
    byte[] h = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
      out.write(h);
      for (Entry e : tensors.values()) {
        out.write(e.data());
      }
    }
  }

  /** Reads an existing safetensors file's tensors (packed, in file order) into a writer. */
  public static SafetensorsWriter copyOf(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    var root = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
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
