package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.OrtDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same weights in other on-disk forms (v4 config, shards) or under equivalent architectures
 * still give the golden logits.
 */
class VariantsTest {
  @TempDir Path tmp;

  private void assertGolden(Path ckpt, String fixture) throws Exception {
    Path model =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(ckpt, tmp.resolve("out")))
            .model();
    Golden golden = Golden.read(Fixtures.tiny(fixture));
    try (OrtDecoder d = new OrtDecoder(model)) {
      for (Golden.Prompt p : golden.prompts()) {
        d.reset();
        assertThat(p.relDiff(d.step(p.ids()), 0)).isLessThanOrEqualTo(GoldenExportTest.TOLERANCE);
      }
    }
  }

  @Test
  void gemma3ConfigInTransformersV4Format() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-gemma3"), tmp.resolve("ckpt"));
    Fixtures.editConfig(
        ckpt,
        c -> {
          c.remove("rope_parameters");
          c.remove("dtype");
          c.put("rope_theta", 1000000.0);
          c.put("rope_local_base_freq", 10000.0);
          c.putNull("rope_scaling");
          c.put("torch_dtype", "bfloat16");
        });
    assertGolden(ckpt, "tiny-gemma3");
  }

  @Test
  void shardedCheckpoint() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-llama"), tmp.resolve("ckpt"));
    SafetensorsWriter all = SafetensorsWriter.copyOf(ckpt.resolve("model.safetensors"));
    SafetensorsWriter a = new SafetensorsWriter().metadata("format", "pt");
    SafetensorsWriter b = new SafetensorsWriter().metadata("format", "pt");
    ObjectNode map = Json.MAPPER.createObjectNode();
    int i = 0;
    for (Map.Entry<String, SafetensorsWriter.Entry> e : all.tensors().entrySet()) {
      SafetensorsWriter w = i++ % 2 == 0 ? a : b;
      w.put(e.getKey(), e.getValue().dtype(), e.getValue().shape(), e.getValue().data());
      map.put(
          e.getKey(),
          w == a ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
    Files.delete(ckpt.resolve("model.safetensors"));
    a.write(ckpt.resolve("model-00001-of-00002.safetensors"));
    b.write(ckpt.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(
        ckpt.resolve("model.safetensors.index.json"),
        "{\"metadata\":{\"total_size\":0},\"weight_map\":" + map + "}");
    assertGolden(ckpt, "tiny-llama");
  }

  @Test
  void mistralWithoutSlidingWindowIsLlama() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-llama"), tmp.resolve("ckpt"));
    Fixtures.editConfig(
        ckpt,
        c -> {
          c.put("model_type", "mistral");
          c.putNull("sliding_window");
        });
    assertGolden(ckpt, "tiny-llama");
  }

  @Test
  void qwen2WithZeroBiasesIsLlama() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-llama"), tmp.resolve("ckpt"));
    Fixtures.editConfig(ckpt, c -> c.put("model_type", "qwen2"));
    SafetensorsWriter w = SafetensorsWriter.copyOf(ckpt.resolve("model.safetensors"));
    for (int l = 0; l < 3; l++) {
      w.put("model.layers." + l + ".self_attn.q_proj.bias", "F16", new long[] {64}, new byte[128]);
      w.put("model.layers." + l + ".self_attn.k_proj.bias", "F16", new long[] {32}, new byte[64]);
      w.put("model.layers." + l + ".self_attn.v_proj.bias", "F16", new long[] {32}, new byte[64]);
    }
    w.write(ckpt.resolve("model.safetensors"));
    assertGolden(ckpt, "tiny-llama");
  }

  /** Final-logit soft-capping is exact on top of the reference: cap * tanh(logits / cap). */
  @Test
  void finalLogitSoftcapping() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-gemma3"), tmp.resolve("ckpt"));
    float cap = 2.0f;
    Fixtures.editConfig(ckpt, c -> c.put("final_logit_softcapping", cap));
    Path model =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(ckpt, tmp.resolve("out")))
            .model();
    Golden golden = Golden.read(Fixtures.tiny("tiny-gemma3"));
    try (OrtDecoder d = new OrtDecoder(model)) {
      for (Golden.Prompt p : golden.prompts()) {
        d.reset();
        float[][] got = d.step(p.ids());
        float[][] capped = new float[p.logits().length][];
        for (int r = 0; r < capped.length; r++) {
          capped[r] = new float[p.logits()[r].length];
          for (int v = 0; v < capped[r].length; v++) {
            capped[r][v] = (float) (cap * Math.tanh(p.logits()[r][v] / cap));
          }
        }
        Golden.Prompt ref = new Golden.Prompt(p.ids(), capped, p.greedy());
        assertThat(ref.relDiff(got, 0)).isLessThanOrEqualTo(GoldenExportTest.TOLERANCE);
      }
    }
  }

  @Test
  void headDimNotAMultipleOf16IsRefused() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-llama"), tmp.resolve("ckpt"));
    Fixtures.editConfig(ckpt, c -> c.put("head_dim", 8));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new Exporter(Reporter.silent())
                    .export(ExportRequest.fp32(ckpt, tmp.resolve("out"))))
        .isInstanceOf(dev.edgellm.checkpoint.CheckpointException.class)
        .hasMessageContaining("head_dim 8 is not a multiple of 16");
  }
}
