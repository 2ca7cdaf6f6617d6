package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.util.UserErrorException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeepTest {
  /** tiny-functiongemma's weights: 4 layers, hidden 128, one KV head of 32, MLP 384, vocab 1024. */
  private static List<Keep.Candidate> functionGemma() {
    List<Keep.Candidate> c = new ArrayList<>();
    for (int l = 0; l < 4; l++) {
      String p = "model.layers." + l + ".";
      c.add(new Keep.Candidate(p + "self_attn.q_proj.weight", 128, 128));
      c.add(new Keep.Candidate(p + "self_attn.k_proj.weight", 128, 32));
      c.add(new Keep.Candidate(p + "self_attn.v_proj.weight", 128, 32));
      c.add(new Keep.Candidate(p + "self_attn.o_proj.weight", 128, 128));
      c.add(new Keep.Candidate(p + "mlp.gate_proj.weight", 128, 384));
      c.add(new Keep.Candidate(p + "mlp.up_proj.weight", 128, 384));
      c.add(new Keep.Candidate(p + "mlp.down_proj.weight", 384, 128));
    }
    c.add(new Keep.Candidate("lm_head.weight", 128, 1024));
    return c;
  }

  @Test
  void parses() {
    assertThat(Keep.parse("auto")).isEqualTo(Keep.AUTO);
    assertThat(Keep.parse(" none ")).isEqualTo(Keep.NONE);
    assertThat(Keep.parse("")).isEqualTo(Keep.NONE);
    assertThat(Keep.parse("lm_head, v_proj").patterns()).containsExactly("lm_head", "v_proj");
    assertThat(Keep.parse("lm_head,v_proj").id()).isEqualTo("lm_head,v_proj");
    assertThatThrownBy(() -> Keep.parse(" , ")).isInstanceOf(UserErrorException.class);
  }

  @Test
  void byteCounts() {
    Keep.Candidate lmHead = new Keep.Candidate("lm_head.weight", 128, 1024);
    // 4 bits: 64 bytes of codes + 4 scales of 4 bytes per column; 8 bits: 128 + one scale
    assertThat(Keep.bytes4(lmHead)).isEqualTo(1024L * (64 + 16));
    assertThat(Keep.bytes8(lmHead)).isEqualTo(1024L * (128 + 4));
    assertThat(Keep.bytes8(new Keep.Candidate("x", 100, 4))).isEqualTo(-1);
  }

  /** The tied lm_head costs 53,248 extra bytes, within 10% of 552,960: kept; then nothing fits. */
  @Test
  void autoKeepsTheLmHeadWhenItFits() {
    List<Keep.Candidate> c = functionGemma();
    long total = c.stream().mapToLong(Keep::bytes4).sum();
    assertThat(total).isEqualTo(552_960L);
    assertThat(Keep.AUTO.choose(c, 0)).containsExactly("lm_head.weight");
  }

  /** A larger vocabulary: the lm_head no longer fits, the attention projections do. */
  @Test
  void autoSkipsWhatDoesNotFitForTheNextKind() {
    List<Keep.Candidate> c = new ArrayList<>(functionGemma());
    c.removeIf(x -> x.name().equals("lm_head.weight"));
    c.add(new Keep.Candidate("lm_head.weight", 128, 2048));
    assertThat(Keep.AUTO.choose(c, 0))
        .doesNotContain("lm_head.weight")
        .contains(
            "model.layers.0.self_attn.v_proj.weight", "model.layers.3.self_attn.k_proj.weight")
        .noneMatch(n -> n.contains("mlp"));
  }

  /**
   * A float32 embedding table beside the 4-bit weights (the quantize path) counts in the model's
   * size: 10% of 552,960 + 524,288 bytes pays for the lm_head and v, k, q (93,184), not o.
   */
  @Test
  void autoBudgetsTheWholeModel() {
    assertThat(Keep.AUTO.choose(functionGemma(), 1024L * 128 * 4))
        .contains("lm_head.weight", "model.layers.2.self_attn.q_proj.weight")
        .noneMatch(n -> n.contains("o_proj") || n.contains("mlp"))
        .hasSize(13);
  }

  @Test
  void noneAndListsIgnoreTheBudget() {
    assertThat(Keep.NONE.choose(functionGemma(), 0)).isEmpty();
    assertThat(Keep.parse("layers.0.,lm_head").choose(functionGemma(), 0))
        .hasSize(8)
        .contains("lm_head.weight", "model.layers.0.mlp.down_proj.weight");
  }
}
