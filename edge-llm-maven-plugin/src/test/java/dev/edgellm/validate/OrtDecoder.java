package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;

/**
 * For tests: a decoder with its cache, stepped token chunk by token chunk, over the one decode loop
 * ({@link DecoderSession}, which feeds the model the way Transformers.js does). Positions fed are
 * 1-based (as Transformers.js feeds gemma3) to prove the graph ignores their values.
 */
public final class OrtDecoder implements AutoCloseable {
  private final DecoderSession session;
  private DecoderSession.Cache cache;

  public OrtDecoder(Path model) throws OrtException {
    session = DecoderSession.of(model, 1);
    cache = session.emptyCache();
  }

  /** Forgets the cache. */
  public void reset() throws OrtException {
    cache.close();
    cache = session.emptyCache();
  }

  /** Feeds {@code ids} after the cached tokens; returns logits [ids.length][vocab]. */
  public float[][] step(long[] ids) throws OrtException {
    return step(ids, 0);
  }

  /**
   * Feeds {@code ids} after the cached tokens with {@code num_logits_to_keep} = {@code keep} (0 =
   * every position); returns the logits the model returned, [rows][vocab].
   */
  public float[][] step(long[] ids, long keep) throws OrtException {
    DecoderSession.Step step = session.forward(ids, cache, keep);
    cache.close();
    cache = step.cache();
    // the cache holds the present.* outputs under the past_key_values.* names they feed
    long[] shape = cache.tensors.get(DecoderContract.pastKey(0)).getInfo().getShape();
    if (shape[2] != cache.length) {
      throw new IllegalStateException("present length " + shape[2] + " != " + cache.length);
    }
    return step.logits();
  }

  public int vocab() {
    return session.contract().vocab();
  }

  /**
   * Forgets the cache, feeds {@code prompt} and returns the {@code steps} greedy tokens after it,
   * each fed back through the cache.
   */
  public long[] greedy(long[] prompt, int steps) throws OrtException {
    reset();
    float[][] logits = step(prompt);
    long[] got = new long[steps];
    for (int i = 0; i < steps; i++) {
      got[i] = argmax(logits[logits.length - 1]);
      if (i + 1 < steps) {
        logits = step(new long[] {got[i]});
      }
    }
    return got;
  }

  /** The index of the largest logit (the first of equal ones). */
  public static int argmax(float[] v) {
    return Logits.argmax(v);
  }

  @Override
  public void close() throws OrtException {
    cache.close();
    session.close();
  }
}
