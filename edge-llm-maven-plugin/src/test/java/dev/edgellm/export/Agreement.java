package dev.edgellm.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import dev.edgellm.validate.Logits;
import dev.edgellm.validate.OrtDecoder;
import dev.edgellm.validate.SampleText;
import dev.edgellm.validate.Vocabulary;
import java.nio.file.Path;

/**
 * A quantized model against its fp32 export over validate's sample text (teacher-forced, one pass):
 * top-1 agreement, mean KL(fp32 || quantized) and the ratio of their perplexities on the sample.
 */
record Agreement(int positions, double topOne, double meanKl, double perplexityRatio) {

  static long[] sampleIds(Path checkpoint) throws Exception {
    JsonNode tok = Json.read(checkpoint.resolve("tokenizer.json"));
    JsonNode cfg = Json.read(checkpoint.resolve("tokenizer_config.json"));
    return SampleText.ids(Vocabulary.of(tok), tok, cfg, SampleText.MAX_IDS);
  }

  static float[][] logits(Path model, long[] ids) throws Exception {
    try (OrtDecoder d = new OrtDecoder(model)) {
      return d.step(ids);
    }
  }

  static Agreement of(float[][] reference, float[][] candidate, long[] ids) {
    int n = reference.length;
    int agree = 0;
    double kl = 0;
    double nllRef = 0;
    double nllCand = 0;
    for (int i = 0; i < n; i++) {
      if (OrtDecoder.argmax(reference[i]) == OrtDecoder.argmax(candidate[i])) {
        agree++;
      }
      double[] lp = Logits.logSoftmax(reference[i]);
      double[] lq = Logits.logSoftmax(candidate[i]);
      double k = 0;
      for (int j = 0; j < lp.length; j++) {
        k += Math.exp(lp[j]) * (lp[j] - lq[j]);
      }
      kl += Math.max(0, k);
      if (i + 1 < n) {
        int next = (int) ids[i + 1];
        nllRef -= lp[next];
        nllCand -= lq[next];
      }
    }
    return new Agreement(
        n, (double) agree / n, kl / n, Math.exp((nllCand - nllRef) / Math.max(1, n - 1)));
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "top-1 %.4f, KL %.5f, ppl x%.4f (%d positions)",
        topOne,
        meanKl,
        perplexityRatio,
        positions);
  }
}
