package dev.edgellm.quantize;

import dev.edgellm.util.UserErrorException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which MatMul weights a 4-bit model keeps at 8 bits ({@code MatMulNBits bits=8}, and {@code
 * GatherBlockQuantized bits=8} for an embedding that shares the tied lm_head's weight): {@code
 * edgellm.quantize.keep}.
 *
 * <ul>
 *   <li>{@code auto} (the default): spend at most {@link #BUDGET} of the all-4-bit model's size
 *       (every tensor of the file: the quantized weights at 4 bits and what stays float, such as a
 *       float32 embedding table) on the weights whose 4-bit error costs the model most, in the
 *       order {@link #AUTO_ORDER} (measured on the trained fixtures: the tied lm_head/embedding,
 *       then the attention's v, k, q, o, then the MLP); a kind of weight is kept in every layer or
 *       in none, and one that does not fit is skipped for the next;
 *   <li>{@code none}: everything 4-bit;
 *   <li>a comma-separated list: every weight whose name contains one of the entries ({@code
 *       lm_head}, {@code v_proj}, {@code layers.0.}), whatever the size.
 * </ul>
 *
 * A weight is kept only if K is a multiple of 16 ({@link Int8Blocks#blockSizeFor}).
 */
public record Keep(boolean auto, List<String> patterns) {

  /**
   * The extra bytes {@code auto} may spend, as a share of the model's size with every candidate at
   * 4 bits: what the download may grow by.
   */
  public static final double BUDGET = 0.10;

  /** The order in which {@code auto} keeps kinds of weights (name fragments). */
  public static final List<String> AUTO_ORDER =
      List.of(
          "lm_head", "v_proj", "k_proj", "q_proj", "o_proj", "down_proj", "up_proj", "gate_proj");

  /** The default: {@code auto}. */
  public static final Keep AUTO = new Keep(true, List.of());

  /** Nothing kept: every weight 4-bit. */
  public static final Keep NONE = new Keep(false, List.of());

  public Keep {
    patterns = List.copyOf(patterns);
  }

  /** Parses {@code auto}, {@code none} or a comma-separated list of name fragments. */
  public static Keep parse(String s) {
    String t = s == null ? "" : s.trim();
    if (t.equalsIgnoreCase("auto")) {
      return AUTO;
    }
    if (t.isEmpty() || t.equalsIgnoreCase("none")) {
      return NONE;
    }
    List<String> p = new ArrayList<>();
    for (String e : t.split(",")) {
      if (!e.isBlank()) {
        p.add(e.trim());
      }
    }
    if (p.isEmpty()) {
      throw new UserErrorException(
          "edgellm.quantize.keep is '" + s + "'; use auto, none or names like lm_head,v_proj");
    }
    return new Keep(false, p);
  }

  /** As written: {@code auto}, {@code none} or the list. */
  public String id() {
    return auto ? "auto" : patterns.isEmpty() ? "none" : String.join(",", patterns);
  }

  /** A MatMul weight that could be kept: its name and B's {@code [K, N]}. */
  public record Candidate(String name, int k, int n) {}

  /** Bytes of a weight at 4 bits, block 32, one float scale per block. */
  public static long bytes4(Candidate c) {
    long kb = (c.k() + 31) / 32;
    return (long) c.n() * kb * (16 + 4);
  }

  /** Bytes of a weight at 8 bits in {@link Int8Blocks#blockSizeFor} blocks, or -1 if it can't. */
  static long bytes8(Candidate c) {
    int bs = Int8Blocks.blockSizeFor(c.k());
    return bs == 0 ? -1 : (long) c.n() * c.k() + (long) c.n() * (c.k() / bs) * 4;
  }

  /**
   * The names of the {@code candidates} to quantize at 8 bits, in a model whose other tensors (what
   * is not a candidate, at the size it is written) take {@code otherBytes}.
   */
  public Set<String> choose(List<Candidate> candidates, long otherBytes) {
    Set<String> out = new LinkedHashSet<>();
    if (!auto) {
      for (Candidate c : candidates) {
        if (bytes8(c) >= 0 && patterns.stream().anyMatch(c.name()::contains)) {
          out.add(c.name());
        }
      }
      return out;
    }
    long total = candidates.stream().mapToLong(Keep::bytes4).sum() + otherBytes;
    long budget = (long) (BUDGET * total);
    long spent = 0;
    for (String kind : AUTO_ORDER) {
      List<Candidate> group =
          candidates.stream().filter(c -> c.name().contains(kind) && bytes8(c) >= 0).toList();
      long extra = group.stream().mapToLong(c -> bytes8(c) - bytes4(c)).sum();
      if (!group.isEmpty() && spent + extra <= budget) {
        spent += extra;
        group.forEach(c -> out.add(c.name()));
      }
    }
    return out;
  }

  /** One log line: what {@link #choose} kept among {@code candidates} and what it costs. */
  public static String describe(Set<String> chosen, List<Candidate> candidates, long otherBytes) {
    if (chosen.isEmpty()) {
      return "edgellm.quantize.keep: every MatMul weight at 4 bits";
    }
    long total = otherBytes;
    long extra = 0;
    Set<String> kinds = new LinkedHashSet<>();
    for (Candidate c : candidates) {
      total += bytes4(c);
      if (chosen.contains(c.name())) {
        extra += bytes8(c) - bytes4(c);
        kinds.add(AUTO_ORDER.stream().filter(c.name()::contains).findFirst().orElse(c.name()));
      }
    }
    return String.format(
        Locale.ROOT,
        "edgellm.quantize.keep: %d of %d MatMul weights at 8 bits (%s), +%,d bytes (+%.1f%% over"
            + " the all-4-bit model)",
        chosen.size(),
        candidates.size(),
        String.join(", ", kinds),
        extra,
        total == 0 ? 0 : 100.0 * extra / total);
  }

  @Override
  public String toString() {
    return id() + (auto ? " (" + String.join(", ", AUTO_ORDER) + " within " + pct() + ")" : "");
  }

  private static String pct() {
    return String.format(Locale.ROOT, "+%.0f%%", BUDGET * 100);
  }
}
