package dev.edgellm.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.adapter.Adapter;
import dev.edgellm.adapter.AdapterException;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ConfigReader;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The short fuzz pass of the test suite: each reader of untrusted bytes under Jazzer for a few
 * seconds (and a few hundred executions at most), from its seed corpus, with no finding. The long
 * pass is {@code ./fuzz.sh SECONDS}.
 */
class FuzzSmokeTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Readers.class)
  void aShortFuzzPassFindsNothing(Readers reader) throws Exception {
    FuzzReaders.Result r = FuzzReaders.run(reader, 3, 300, tmp, false);
    System.out.println("[fuzz] " + r.line());
    String log = "\n" + r.line() + "\n" + FuzzReaders.logTail(r, 40);
    assertThat(r.findings()).as(log).isZero();
    assertThat(r.executions()).as(log).isPositive();
  }

  /**
   * Found by fuzzing: a number BigDecimal refuses escaped the readers that parse with the shared
   * mapper directly (config.json, a safetensors header, model.safetensors.index.json) as a
   * NumberFormatException; the mapper makes it a parse error, so each reader's typed error.
   */
  @Test
  void aNumberBigDecimalRefusesIsATypedErrorInEveryReader() throws Exception {
    String huge = "6e" + "6".repeat(90);
    Path dir = Files.createDirectories(tmp.resolve("checkpoint"));
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"llama\", \"x\": " + huge + "}");
    assertThatThrownBy(() -> ConfigReader.read(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("config.json is not valid JSON");

    byte[] header =
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [" + huge + "], \"data_offsets\": [0, 4]}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(header.length).put(header);
    Path st = dir.resolve("model.safetensors");
    Files.write(st, file.array());
    assertThatThrownBy(() -> SafetensorsFile.open(st))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("the header is not valid JSON");

    for (String text : new String[] {huge, "[" + huge + "]", "{\"a\": -" + huge + "}"}) {
      assertThatThrownBy(() -> Json.MAPPER.readTree(text)).isInstanceOf(JsonParseException.class);
      assertThatThrownBy(() -> Json.MAPPER.readTree(text.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(JsonParseException.class);
    }
  }

  /**
   * Found by fuzzing the ONNX reader: a NUL in an external data location (InvalidPathException).
   */
  @Test
  void aNulInAnExternalDataLocationIsAnOnnxFormatError() throws Exception {
    ModelProto m =
        TinyDecoder.with(
                d -> {
                  d.layers = 1;
                  d.externalEmbedding = true;
                })
            .build();
    ModelProto.Builder b = m.toBuilder();
    TensorProto.Builder embed = b.getGraphBuilder().getInitializerBuilder(0);
    for (int i = 0; i < embed.getExternalDataCount(); i++) {
      if (embed.getExternalData(i).getKey().equals("location")) {
        embed.getExternalDataBuilder(i).setValue("model.onnx\0data");
      }
    }
    Path file = tmp.resolve("model.onnx");
    Files.write(file, b.build().toByteArray());
    assertThatThrownBy(() -> OnnxModel.read(file))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("NUL character");
  }

  /**
   * Found by fuzzing adapter_config.json: PEFT's target_modules (and rank_pattern/alpha_pattern)
   * are regular expressions; an invalid one escaped as a PatternSyntaxException, and one that
   * backtracks without end would hang the build. Both are adapter errors naming the key.
   */
  @Test
  void aTargetModulesRegexThatIsInvalidOrEndlessIsAnAdapterError() throws Exception {
    Path res = Path.of("src/test/resources/models");
    Path adapter = Files.createDirectories(tmp.resolve("adapter"));
    Files.copy(
        res.resolve("adapters/tiny-llama-peft/adapter/adapter_model.safetensors"),
        adapter.resolve("adapter_model.safetensors"));
    ObjectNode config =
        Json.readObject(res.resolve("adapters/tiny-llama-peft/adapter/adapter_config.json"));
    String[][] cases = {
      {"target_modules", "q_proj[", "is not a valid regular expression"},
      {"target_modules", "(.*){12}Z", "backtracks without end"},
      {"rank_pattern", "q_proj(", "is not a valid regular expression"},
    };
    for (String[] c : cases) {
      ObjectNode bad = config.deepCopy();
      if (c[0].equals("target_modules")) {
        bad.put("target_modules", c[1]);
      } else {
        bad.putObject(c[0]).put(c[1], 4);
      }
      Files.writeString(adapter.resolve("adapter_config.json"), Json.pretty(bad));
      try (Checkpoint base = Checkpoint.open(res.resolve("tiny-llama"))) {
        assertThatThrownBy(() -> Adapter.open(adapter).applyTo(base, Reporter.silent()).close())
            .as(c[1])
            .isInstanceOf(AdapterException.class)
            .hasMessageContaining(c[0] + " '" + c[1] + "'")
            .hasMessageContaining(c[2]);
      }
    }
  }

  /**
   * Found by fuzzing tokenizer_config.json: bytes in no JSON encoding escaped as an IOException.
   */
  @Test
  void bytesInNoJsonEncodingAreAParseError() throws Exception {
    Path f = tmp.resolve("tokenizer_config.json");
    for (byte[] bad :
        new byte[][] {
          {0, 0, (byte) 0xFF, (byte) 0xFE, 0, 0, 0, 0x7B}, // UCS-4 of unusual byte order
          {0, 0, 0, 0x7B, 0x65, 0x21, 0x3A, 0x20, 0, 0, 0, 0x7D}, // UTF-32 above U+10FFFF
          "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE),
          // found by fuzzing too: a number BigDecimal refuses escaped as NumberFormatException
          ("{\"a\": 6e" + "6".repeat(90) + "}").getBytes(StandardCharsets.UTF_8)
        }) {
      Files.write(f, bad);
      try {
        Json.read(f);
      } catch (JsonProcessingException expected) {
        // a parse error, as for any other invalid JSON
      }
    }
  }
}
