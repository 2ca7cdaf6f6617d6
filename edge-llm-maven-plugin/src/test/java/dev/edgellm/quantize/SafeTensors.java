package dev.edgellm.quantize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** A minimal safetensors reader for the fixtures (F32 and I64 only). */
final class SafeTensors {
  private SafeTensors() {}

  record Tensor(String dtype, long[] shape, ByteBuffer data) {
    float[] floats() {
      float[] f = new float[data.remaining() / 4];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      return f;
    }

    long[] longs() {
      long[] l = new long[data.remaining() / 8];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(l);
      return l;
    }
  }

  static Map<String, Tensor> parse(byte[] file) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) b.getLong(0);
    JsonNode header = Json.MAPPER.readTree(new String(file, 8, n, StandardCharsets.UTF_8));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      long[] shape = new long[t.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.get("shape").get(i).asLong();
      }
      int start = 8 + n + t.get("data_offsets").get(0).asInt();
      int end = 8 + n + t.get("data_offsets").get(1).asInt();
      out.put(
          e.getKey(),
          new Tensor(
              t.get("dtype").asText(), shape, ByteBuffer.wrap(file, start, end - start).slice()));
    }
    return out;
  }
}
