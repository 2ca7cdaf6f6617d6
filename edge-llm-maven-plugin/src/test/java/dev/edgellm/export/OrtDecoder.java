package dev.edgellm.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an exported decoder with ONNX Runtime the way Transformers.js does: prefill with an empty
 * past, then feeds the present key/values back. Positions fed are 1-based (as Transformers.js feeds
 * gemma3) to prove the graph ignores their values.
 */
final class OrtDecoder implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int layers;
  private final long kvHeads;
  private final long headDim;
  private final int vocab;
  private OrtSession.Result cache;
  private long past;

  OrtDecoder(Path model) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(1);
    session = env.createSession(model.toString(), opts);
    int n = 0;
    long kv = -1;
    long hd = -1;
    for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
      if (e.getKey().startsWith("past_key_values.") && e.getKey().endsWith(".key")) {
        n++;
        long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
        kv = shape[1];
        hd = shape[3];
      }
    }
    layers = n;
    kvHeads = kv;
    headDim = hd;
    vocab = (int) ((TensorInfo) session.getOutputInfo().get("logits").getInfo()).getShape()[2];
  }

  /** Forgets the cache. */
  void reset() {
    closeCache();
    past = 0;
  }

  /** Feeds {@code ids} after the cached tokens; returns logits [ids.length][vocab]. */
  float[][] step(long[] ids) throws OrtException {
    int s = ids.length;
    long total = past + s;
    Map<String, OnnxTensor> in = new HashMap<>();
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      long[] mask = new long[(int) total];
      java.util.Arrays.fill(mask, 1);
      long[] pos = new long[s];
      for (int i = 0; i < s; i++) {
        pos[i] = past + i + 1;
      }
      owned.add(
          put(
              in,
              "input_ids",
              OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, s})));
      owned.add(
          put(
              in,
              "attention_mask",
              OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total})));
      owned.add(
          put(
              in,
              "position_ids",
              OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, s})));
      for (int l = 0; l < layers; l++) {
        for (String kind : new String[] {"key", "value"}) {
          String name = "past_key_values." + l + "." + kind;
          if (cache == null) {
            owned.add(
                put(
                    in,
                    name,
                    OnnxTensor.createTensor(
                        env, FloatBuffer.allocate(0), new long[] {1, kvHeads, 0, headDim})));
          } else {
            in.put(name, (OnnxTensor) cache.get("present." + l + "." + kind).orElseThrow());
          }
        }
      }
      OrtSession.Result r = session.run(in);
      float[][][] logits = (float[][][]) r.get("logits").orElseThrow().getValue();
      closeCache();
      cache = r;
      past = total;
      long[] presentShape =
          ((OnnxTensor) r.get("present.0.key").orElseThrow()).getInfo().getShape();
      if (presentShape[2] != total) {
        throw new IllegalStateException("present length " + presentShape[2] + " != " + total);
      }
      return logits[0];
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  int vocab() {
    return vocab;
  }

  private static OnnxTensor put(Map<String, OnnxTensor> in, String name, OnnxTensor t) {
    in.put(name, t);
    return t;
  }

  private void closeCache() {
    if (cache != null) {
      cache.close();
      cache = null;
    }
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void close() throws OrtException {
    closeCache();
    session.close();
  }
}
