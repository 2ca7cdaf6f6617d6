package dev.edgellm.validate;

/** Small numerics over one position's logits, in double precision. */
public final class Logits {
  private Logits() {}

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  static boolean finite(float[] logits) {
    for (float v : logits) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  static double std(float[] logits) {
    double mean = 0;
    for (float v : logits) {
      mean += v;
    }
    mean /= logits.length;
    double var = 0;
    for (float v : logits) {
      var += (v - mean) * (v - mean);
    }
    return Math.sqrt(var / logits.length);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  /** log(softmax(logits)) in double precision, stable for large logits. */
  public static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - log;
    }
    return out;
  }

  /** KL(p || q) in nats for the distributions of two logit vectors. */
  static double kl(float[] p, float[] q) {
    double[] lp = logSoftmax(p);
    double[] lq = logSoftmax(q);
    double kl = 0;
    for (int i = 0; i < lp.length; i++) {
      double pi = Math.exp(lp[i]);
      if (pi > 0) {
        kl += pi * (lp[i] - lq[i]);
      }
    }
    return Math.max(0, kl);
  }
}
