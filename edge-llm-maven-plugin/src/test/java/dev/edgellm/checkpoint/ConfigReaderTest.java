package dev.edgellm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.edgellm.graph.Rope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {
  @TempDir Path tmp;

  private ModelConfig read(String resource) throws IOException {
    Files.copy(Path.of("src/test/resources/configs", resource), tmp.resolve("config.json"));
    return ConfigReader.read(tmp);
  }

  @Test
  void gemma3HubConfigInV4Format() throws IOException {
    ModelConfig c = read("gemma-3-270m-v4.json");
    assertThat(c.modelType()).isEqualTo("gemma3_text");
    assertThat(c.hiddenSize()).isEqualTo(640);
    assertThat(c.numLayers()).isEqualTo(18);
    assertThat(c.numKvHeads()).isEqualTo(1);
    assertThat(c.headDim()).isEqualTo(256);
    assertThat(c.slidingWindow()).isEqualTo(512);
    assertThat(c.number("query_pre_attn_scalar")).isEqualTo(256.0);
    assertThat(c.layerTypes().get(0)).isEqualTo(ModelConfig.SLIDING);
    assertThat(c.layerTypes().get(5)).isEqualTo(ModelConfig.FULL);
    assertThat(c.rope(ModelConfig.FULL)).isEqualTo(RopeParameters.defaults(1000000.0));
    assertThat(c.number("rope_local_base_freq")).isEqualTo(10000.0);
    assertThat(c.dtype()).isEqualTo("bfloat16");
    assertThat(c.tieWordEmbeddings()).isTrue();
  }

  @Test
  void gemma3FixtureInV5Format() {
    ModelConfig c = ConfigReader.read(Path.of("src/test/resources/models/tiny-gemma3"));
    assertThat(c.layerTypes())
        .containsExactly(
            "sliding_attention", "full_attention", "sliding_attention", "full_attention");
    assertThat(c.rope(ModelConfig.SLIDING).theta()).isEqualTo(10000.0);
    assertThat(c.rope(ModelConfig.FULL).theta()).isEqualTo(1000000.0);
    assertThat(c.slidingWindow()).isEqualTo(16);
    assertThat(c.dtype()).isEqualTo("bfloat16");
  }

  @Test
  void llama3RopeScalingInV4Format() throws IOException {
    ModelConfig c = read("llama-3.2-1b-v4.json");
    RopeParameters p = c.rope(ModelConfig.FULL);
    assertThat(p.type()).isEqualTo("llama3");
    assertThat(p.theta()).isEqualTo(500000.0);
    assertThat(p.factor()).isEqualTo(32.0);
    assertThat(p.originalMaxPositionEmbeddings()).isEqualTo(8192.0);
    assertThat(c.slidingWindow()).isZero();
    // reference: transformers' _compute_llama3_parameters evaluated in float32
    float[] inv = Rope.invFreq(p, 64);
    float[] expected = {
      1.0f,
      0.6636012196540833f,
      0.016560440883040428f,
      0.000429556705057621f,
      8.570255886297673e-06f,
      1.6619676443951903e-06f,
      9.41830720080361e-08f
    };
    int[] at = {0, 1, 10, 16, 20, 24, 31};
    for (int i = 0; i < at.length; i++) {
      assertThat(inv[at[i]])
          .as("inv_freq[%d]", at[i])
          .isCloseTo(expected[i], within(expected[i] * 2e-6f));
    }
  }

  @Test
  void llama3InV5Format() throws IOException {
    Files.writeString(
        tmp.resolve("config.json"),
        """
        {"model_type":"llama","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":128,
         "vocab_size":100,"rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":32.0,
         "low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192},"dtype":"float32"}
        """);
    ModelConfig c = ConfigReader.read(tmp);
    assertThat(c.rope(ModelConfig.SLIDING).type()).isEqualTo("llama3");
    assertThat(c.numKvHeads()).isEqualTo(4);
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.dtype()).isEqualTo("float32");
  }
}
