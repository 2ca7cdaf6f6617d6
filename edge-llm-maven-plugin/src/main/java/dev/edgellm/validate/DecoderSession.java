package dev.edgellm.validate;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a staged decoder with ONNX Runtime for Java (CPU, with the com.microsoft contrib ops) the
 * way Transformers.js does: {@code input_ids}, an all-ones {@code attention_mask} over past and new
 * tokens, {@code position_ids} counting on from the cache length, and the {@code present.*} outputs
 * fed back as {@code past_key_values.*}. Batch size 1.
 */
final class DecoderSession implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final DecoderContract contract;
  private final Map<String, NodeInfo> inputs;
  private final boolean float16Cache;
  private final long firstPosition;

  /** The KV cache after some tokens; owns the tensors (an ORT result, or the empty tensors). */
  static final class Cache implements AutoCloseable {
    final int length;
    final Map<String, OnnxTensor> tensors;
    private final AutoCloseable owner;

    Cache(int length, Map<String, OnnxTensor> tensors, AutoCloseable owner) {
      this.length = length;
      this.tensors = tensors;
      this.owner = owner;
    }

    @Override
    public void close() {
      try {
        owner.close();
      } catch (Exception e) {
        // native memory is released either way
      }
    }
  }

  /** Logits of the new positions ([positions][vocab]) and the cache after them. */
  record Step(float[][] logits, Cache cache) {}

  DecoderSession(Path model, DecoderContract contract) throws OrtException {
    this(open(model), contract, 0);
  }

  /**
   * A session whose contract is read from the model's own inputs and outputs (rather than checked
   * against config.json first), feeding positions from {@code firstPosition} on: Transformers.js
   * feeds 0-based positions to most models and 1-based ones to some (gemma3), which a graph that
   * ignores their values must accept.
   */
  static DecoderSession of(Path model, long firstPosition) throws OrtException {
    OrtSession session = open(model);
    try {
      return new DecoderSession(session, contractOf(session), firstPosition);
    } catch (OrtException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private DecoderSession(OrtSession session, DecoderContract contract, long firstPosition)
      throws OrtException {
    this.env = OrtEnvironment.getEnvironment();
    this.session = session;
    this.contract = contract;
    this.firstPosition = firstPosition;
    this.inputs = session.getInputInfo();
    NodeInfo past = inputs.get(DecoderContract.pastKey(0));
    this.float16Cache =
        past != null && past.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT16;
  }

  private static OrtSession open(Path model) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(
          Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
      return OrtEnvironment.getEnvironment().createSession(model.toString(), options);
    }
  }

  /** The contract as the session's inputs and outputs declare it. */
  private static DecoderContract contractOf(OrtSession session) throws OrtException {
    Map<String, NodeInfo> in = session.getInputInfo();
    int layers = 0;
    while (in.containsKey(DecoderContract.pastKey(layers))) {
      layers++;
    }
    if (layers == 0) {
      throw new OrtException("the model has no input " + DecoderContract.pastKey(0));
    }
    TensorInfo past = (TensorInfo) in.get(DecoderContract.pastKey(0)).getInfo();
    NodeInfo logitsInfo = session.getOutputInfo().get("logits");
    if (logitsInfo == null) {
      throw new OrtException("the model has no output logits");
    }
    TensorInfo logits = (TensorInfo) logitsInfo.getInfo();
    long[] cache = past.getShape();
    long[] vocab = logits.getShape();
    return new DecoderContract(
        in.containsKey("position_ids"),
        in.containsKey("num_logits_to_keep"),
        in.containsKey("use_cache_branch"),
        layers,
        (int) cache[1],
        (int) cache[3],
        (int) vocab[vocab.length - 1],
        past.onnxType.value,
        logits.onnxType.value);
  }

  /** The contract the session feeds by. */
  DecoderContract contract() {
    return contract;
  }

  /** An empty cache: {@code [1, kvHeads, 0, headDim]} for every layer. */
  Cache emptyCache() throws OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    long[] shape = {1, contract.kvHeads(), 0, contract.headDim()};
    for (String name : contract.pastNames()) {
      OnnxTensor t =
          float16Cache
              ? OnnxTensor.createTensor(
                  env,
                  ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()),
                  shape,
                  OnnxJavaType.FLOAT16)
              : OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
      tensors.put(name, t);
    }
    List<OnnxTensor> owned = new ArrayList<>(tensors.values());
    return new Cache(0, tensors, () -> owned.forEach(OnnxTensor::close));
  }

  /**
   * Runs {@code ids} after {@code cache}, with logits for every new position. The caller keeps
   * ownership of {@code cache} and must close the returned step's cache.
   */
  Step forward(long[] ids, Cache cache) throws OrtException {
    return forward(ids, cache, 0);
  }

  /**
   * Runs {@code ids} after {@code cache}, feeding {@code num_logits_to_keep} = {@code logitsToKeep}
   * where the model declares it (Transformers.js: 1 in generate(), 0 = every position otherwise); a
   * model without the input returns every position's logits.
   */
  Step forward(long[] ids, Cache cache, long logitsToKeep) throws OrtException {
    int past = cache.length;
    int total = past + ids.length;
    List<OnnxTensor> created = new ArrayList<>();
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>(cache.tensors);
      feeds.put(
          "input_ids",
          track(
              created,
              OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length})));
      if (inputs.containsKey("attention_mask")) {
        long[] mask = new long[total];
        java.util.Arrays.fill(mask, 1);
        feeds.put(
            "attention_mask",
            track(
                created,
                OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total})));
      }
      if (inputs.containsKey("position_ids")) {
        long[] pos = new long[ids.length];
        for (int i = 0; i < pos.length; i++) {
          pos[i] = firstPosition + past + i;
        }
        feeds.put(
            "position_ids",
            track(
                created,
                OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, ids.length})));
      }
      if (inputs.containsKey("num_logits_to_keep")) {
        feeds.put(
            "num_logits_to_keep",
            track(
                created,
                OnnxTensor.createTensor(
                    env, LongBuffer.wrap(new long[] {logitsToKeep}), new long[] {})));
      }
      if (inputs.containsKey("use_cache_branch")) {
        feeds.put(
            "use_cache_branch",
            track(created, OnnxTensor.createTensor(env, new boolean[] {past > 0})));
      }
      OrtSession.Result result = session.run(feeds);
      float[][] logits;
      Map<String, OnnxTensor> present = new LinkedHashMap<>();
      try {
        logits = logits(result, ids.length);
        for (int i = 0; i < contract.layers(); i++) {
          present.put(DecoderContract.pastKey(i), tensor(result, DecoderContract.presentKey(i)));
          present.put(
              DecoderContract.pastValue(i), tensor(result, DecoderContract.presentValue(i)));
        }
      } catch (OrtException | RuntimeException e) {
        result.close();
        throw e;
      }
      return new Step(logits, new Cache(total, present, result));
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor track(List<OnnxTensor> created, OnnxTensor t) {
    created.add(t);
    return t;
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) throws OrtException {
    Optional<OnnxValue> v = result.get(name);
    if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
      throw new OrtException("the model has no output " + name);
    }
    return t;
  }

  private float[][] logits(OrtSession.Result result, int positions) throws OrtException {
    OnnxTensor t = tensor(result, "logits");
    TensorInfo info = t.getInfo();
    long[] shape = info.getShape();
    int vocab = (int) shape[shape.length - 1];
    int rows = (int) (info.getNumElements() / vocab);
    float[] flat = new float[rows * vocab];
    if (info.type == OnnxJavaType.FLOAT16) {
      ShortBuffer halves = t.getShortBuffer();
      for (int i = 0; i < flat.length; i++) {
        flat[i] = Half.halfToFloat(halves.get(i));
      }
    } else {
      t.getFloatBuffer().get(flat);
    }
    // Models that keep only the last logits return fewer rows than positions: align to the end.
    float[][] out = new float[Math.min(rows, positions)][];
    int offset = rows - out.length;
    for (int r = 0; r < out.length; r++) {
      out[r] = java.util.Arrays.copyOfRange(flat, (offset + r) * vocab, (offset + r + 1) * vocab);
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
