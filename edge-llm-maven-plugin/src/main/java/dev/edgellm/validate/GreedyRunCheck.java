package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code run.greedy}: a real run with ONNX Runtime for Java, fed as Transformers.js feeds it:
 * prefill the sample prompt, then greedy steps through the KV cache, with {@code
 * num_logits_to_keep} = 1 where the model declares it (the prefill must then return the last
 * position's logits only). The cached steps must give the same logits as one uncached pass over the
 * same tokens with every position's logits (so the cache and the slice are wired right), and all
 * logits must be finite.
 */
final class GreedyRunCheck implements Check {
  /** Prompt tokens of the prefill. */
  static final int PROMPT_TOKENS = 24;

  @Override
  public String id() {
    return "run.greedy";
  }

  @Override
  public String title() {
    return "Prefill and greedy steps through the KV cache (ONNX Runtime)";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    ctx.requirePassed("model.size", "model.parses", "model.embedded", "contract.io");
    String file = ctx.modelFile();
    DecoderContract contract = ctx.contract();
    long[] prompt = ctx.sampleIds(PROMPT_TOKENS);
    int steps = ctx.request().greedySteps();
    Vocabulary vocab = ctx.vocabulary();
    List<float[]> cachedRows = new ArrayList<>();
    long[] generated = new long[steps + 1];
    long prefillNanos;
    long decodeNanos;
    try (DecoderSession session = new DecoderSession(ctx.modelPath(), contract)) {
      DecoderSession.Cache cache = session.emptyCache();
      try {
        long t0 = System.nanoTime();
        // Fed as generate() feeds it: num_logits_to_keep = 1 (where the model declares it).
        DecoderSession.Step step = session.forward(prompt, cache, 1);
        prefillNanos = System.nanoTime() - t0;
        cache.close();
        cache = step.cache();
        if (contract.numLogitsToKeep() && step.logits().length != 1) {
          out.error(
              file,
              "With num_logits_to_keep = 1 the prefill of "
                  + prompt.length
                  + " tokens returned logits for "
                  + step.logits().length
                  + " positions, not the last one only",
              "Export again: slice the hidden states to the last num_logits_to_keep positions before the lm_head");
        }
        float[] last = step.logits()[step.logits().length - 1];
        cachedRows.add(last);
        generated[0] = Logits.argmax(last);
        long t1 = System.nanoTime();
        for (int i = 1; i <= steps; i++) {
          DecoderSession.Step next = session.forward(new long[] {generated[i - 1]}, cache, 1);
          cache.close();
          cache = next.cache();
          float[] row = next.logits()[next.logits().length - 1];
          cachedRows.add(row);
          generated[i] = Logits.argmax(row);
        }
        decodeNanos = System.nanoTime() - t1;
        long[] presentShape = cache.tensors.get(DecoderContract.pastKey(0)).getInfo().getShape();
        if (presentShape.length != 4 || presentShape[2] != prompt.length + steps) {
          out.error(
              file,
              "After "
                  + (prompt.length + steps)
                  + " tokens present.0.key has shape "
                  + Arrays.toString(presentShape)
                  + ": the cache does not grow by one position per step",
              "Export again: present must be past + new positions");
        }
      } finally {
        cache.close();
      }

      // The same tokens in one pass without cache must give the same logits.
      long[] all = new long[prompt.length + steps];
      System.arraycopy(prompt, 0, all, 0, prompt.length);
      System.arraycopy(generated, 0, all, prompt.length, steps);
      double worst = 0;
      try (DecoderSession.Cache empty = session.emptyCache()) {
        DecoderSession.Step full = session.forward(all, empty);
        try {
          float[][] rows = full.logits();
          int offset = rows.length - (steps + 1);
          if (offset < 0) {
            out.warn(
                file,
                "The model returns logits for the last position only; the cache consistency check is limited to it",
                "Return logits for every position");
            offset = rows.length - 1;
          }
          for (int i = 0; i + offset < rows.length && i < cachedRows.size(); i++) {
            float[] uncached = rows[offset + i];
            float[] cached = cachedRows.get(i);
            if (!Logits.finite(cached) || !Logits.finite(uncached)) {
              out.error(
                  file,
                  "The logits contain NaN or infinity at step " + i,
                  "Export again; check the weights' dtype conversion");
              worst = Double.NaN;
              break;
            }
            worst =
                Math.max(
                    worst,
                    Logits.maxAbsDiff(cached, uncached) / Math.max(1e-6, Logits.std(uncached)));
          }
        } finally {
          full.cache().close();
        }
      }
      out.detail("cachedVsUncached", worst);
      if (worst > 1e-2) {
        out.error(
            file,
            String.format(
                "Logits through the KV cache differ from one uncached pass by %.3g (relative to the logits'"
                    + " spread): the cache or the positions are wired wrong",
                worst),
            "Export again; check past/present order, position_ids and the attention mask");
      } else if (worst > 1e-3) {
        out.warn(
            file,
            String.format(
                "Logits through the KV cache differ from one uncached pass by %.3g (relative)",
                worst),
            "Check the export's cache handling");
      }
    } catch (OrtException e) {
      out.error(
          file,
          "ONNX Runtime could not run " + file + ": " + ValidationContext.firstLine(e.getMessage()),
          "Export again; onnxruntime-web would fail the same way");
      return;
    }
    out.detail("promptIds", prompt.length);
    out.detail("generatedIds", Arrays.stream(generated).boxed().toList());
    out.detail("generatedText", text(generated, vocab));
    out.detail("prefillMs", Math.round(prefillNanos / 1e6));
    out.detail("msPerToken", Math.round(decodeNanos / 1e6 / steps * 10) / 10.0);
  }

  /** The generated tokens as text, with the tokenizer's space markers turned back into spaces. */
  static String text(long[] ids, Vocabulary vocab) {
    StringBuilder s = new StringBuilder();
    for (long id : ids) {
      String t = vocab.token((int) id);
      s.append(t == null ? "<" + id + ">" : t);
    }
    return s.toString().replace('\u0120', ' ').replace('\u2581', ' ').replace('\u010a', '\n');
  }
}
