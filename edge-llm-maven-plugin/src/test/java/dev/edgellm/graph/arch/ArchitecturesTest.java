package dev.edgellm.graph.arch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.checkpoint.ConfigReader;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.checkpoint.RopeParameters;
import dev.edgellm.graph.DecoderSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each architecture's own config rules, read into its DecoderSpec. */
class ArchitecturesTest {
  @TempDir Path tmp;

  private static DecoderSpec spec(ModelConfig c) {
    return Architectures.of(c).spec(c);
  }

  private ModelConfig read(String json) throws IOException {
    Files.writeString(tmp.resolve("config.json"), json);
    return ConfigReader.read(tmp);
  }

  private static ModelConfig fixture(String name) {
    return ConfigReader.read(Path.of("src/test/resources/models", name));
  }

  private static List<Integer> windows(DecoderSpec s) {
    return s.layers().stream().map(DecoderSpec.Layer::slidingWindow).toList();
  }

  @Test
  void gemma3HubConfigInV4Format() throws IOException {
    ModelConfig c = ConfigReader.read(copy("gemma-3-270m-v4.json"));
    DecoderSpec s = spec(c);
    assertThat(s.layers().get(0).slidingWindow()).isEqualTo(512);
    assertThat(s.layers().get(5).slidingWindow()).isZero();
    assertThat(s.layers().get(0).rotary().rope()).isEqualTo(RopeParameters.defaults(10000.0));
    assertThat(s.layers().get(5).rotary().rope()).isEqualTo(RopeParameters.defaults(1000000.0));
    assertThat(s.attentionScale()).isEqualTo((float) Math.pow(256.0, -0.5));
    assertThat(s.embeddingScale()).isEqualTo((float) Math.sqrt(640));
  }

  @Test
  void gemma3SlidingPatternWithoutLayerTypes() throws IOException {
    String json =
        Files.readString(Path.of("src/test/resources/configs/gemma-3-270m-v4.json"))
            .replaceAll("(?s)\"layer_types\"\\s*:\\s*\\[[^]]*],", "");
    DecoderSpec s = spec(read(json));
    assertThat(s.layers().get(4).slidingWindow()).isEqualTo(512);
    assertThat(s.layers().get(5).slidingWindow()).isZero();
    assertThat(s.layers().get(11).slidingWindow()).isZero();
    assertThat(s.layers().get(12).slidingWindow()).isEqualTo(512);
  }

  @Test
  void gemma2AlternatesAndSoftCaps() {
    DecoderSpec s = spec(fixture("tiny-gemma2"));
    assertThat(windows(s)).containsExactly(8, 0, 8, 0);
    assertThat(s.attnSoftcap()).isEqualTo(50f);
    assertThat(s.finalSoftcap()).isEqualTo(30f);
    assertThat(s.normAddsOne()).isTrue();
    assertThat(s.qkNorm()).isFalse();
  }

  @Test
  void gemma2V4ConfigWithoutLayerTypesSlidesEveryOtherLayer() throws IOException {
    DecoderSpec s =
        spec(
            read(
                """
                {"model_type":"gemma2","hidden_size":64,"num_hidden_layers":4,"num_attention_heads":4,
                 "num_key_value_heads":2,"head_dim":16,"intermediate_size":128,"vocab_size":100,
                 "sliding_window":4096,"query_pre_attn_scalar":256,"rope_theta":10000.0}
                """));
    assertThat(windows(s)).containsExactly(4096, 0, 4096, 0);
    assertThat(s.attentionScale()).isEqualTo(1f / 16);
  }

  @Test
  void phi3ReadsItsFusedProjectionsAsParts() {
    DecoderSpec s = spec(fixture("tiny-phi3"));
    assertThat(s.fused())
        .containsExactly(
            new DecoderSpec.Fused(
                "self_attn.qkv_proj",
                List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj")),
            new DecoderSpec.Fused("mlp.gate_up_proj", List.of("mlp.gate_proj", "mlp.up_proj")));
    assertThat(windows(s)).containsOnly(0);
  }

  @Test
  void phi3LongropeAndPartialRotaryInV4Format() throws IOException {
    ModelConfig c =
        read(
            """
            {"model_type":"phi3","hidden_size":96,"num_hidden_layers":2,"num_attention_heads":4,
             "intermediate_size":128,"vocab_size":100,"max_position_embeddings":131072,
             "original_max_position_embeddings":4096,"partial_rotary_factor":0.5,"rope_theta":10000.0,
             "rope_scaling":{"type":"longrope","short_factor":[1,1,1,1,1,1],"long_factor":[2,2,2,2,2,2]},
             "sliding_window":262144}
            """);
    DecoderSpec.Rotary r = spec(c).layers().get(0).rotary();
    assertThat(r.dim()).isEqualTo(12);
    assertThat(r.rope().type()).isEqualTo("longrope");
    assertThat(r.rope().factor()).isEqualTo(32.0);
    assertThat(r.rope().originalMaxPositionEmbeddings()).isEqualTo(4096.0);
    assertThat(r.rope().longFactor()).containsOnly(2.0);
    assertThat(windows(spec(c))).containsOnly(262144);
  }

  @Test
  void graniteMultipliers() {
    DecoderSpec s = spec(fixture("tiny-granite"));
    assertThat(s.embeddingScale()).isEqualTo(12f);
    assertThat(s.residualMultiplier()).isEqualTo(0.22f);
    assertThat(s.attentionScale()).isEqualTo(0.2f);
    assertThat(s.logitsDivisor()).isEqualTo(4f);
  }

  @Test
  void smollm3NoRopeLayers() {
    DecoderSpec s = spec(fixture("tiny-smollm3"));
    assertThat(s.layers())
        .extracting(l -> l.rotary() != null)
        .containsExactly(true, false, true, false);
  }

  @Test
  void qwen2SlidesFromMaxWindowLayersOnlyWhenAsked() throws IOException {
    String base =
        """
        {"model_type":"qwen2","hidden_size":64,"num_hidden_layers":4,"num_attention_heads":4,
         "intermediate_size":128,"vocab_size":100,"sliding_window":32,"max_window_layers":2,
         "use_sliding_window":%s}
        """;
    assertThat(windows(spec(read(base.formatted("true"))))).containsExactly(0, 0, 32, 32);
    assertThat(windows(spec(read(base.formatted("false"))))).containsOnly(0);
  }

  private Path copy(String resource) throws IOException {
    Files.copy(Path.of("src/test/resources/configs", resource), tmp.resolve("config.json"));
    return tmp;
  }
}
