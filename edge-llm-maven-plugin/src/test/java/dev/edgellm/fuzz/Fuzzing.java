package dev.edgellm.fuzz;

import dev.edgellm.hub.HubAnswers;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.testing.TinyDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Folders and seed corpora of the fuzz targets, from the committed fixtures. */
final class Fuzzing {
  private Fuzzing() {}

  private static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();
  private static final Map<Readers, Path> FOLDERS = new EnumMap<>(Readers.class);

  /** tiny-llama, the base checkpoint adapter configs are merged onto. */
  static Path base() {
    return RESOURCES.resolve("models/tiny-llama");
  }

  /** This process's folder for {@code reader}'s input, with the files it reads beside it. */
  static synchronized Path folder(Readers reader) {
    return FOLDERS.computeIfAbsent(
        reader,
        r -> {
          try {
            Path shm = Path.of("/dev/shm");
            Path root =
                Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "edgellm-fuzz-")
                    : Files.createTempDirectory("edgellm-fuzz-");
            root.toFile().deleteOnExit();
            Path dir = Files.createDirectories(root.resolve(r.name().toLowerCase()));
            if (r == Readers.CONFIG) {
              // the config reader needs only config.json
            } else if (r == Readers.ADAPTER_CONFIG) {
              Readers.copy(
                  RESOURCES.resolve(
                      "models/adapters/tiny-llama-peft/adapter/adapter_model.safetensors"),
                  dir.resolve("adapter_model.safetensors"));
            } else if (r == Readers.ONNX) {
              // external data files a fuzzed model may point into (the seeds use the first)
              Files.write(dir.resolve("model.onnx.data"), new byte[8192]);
              Files.write(dir.resolve("model.onnx_data"), new byte[8192]);
            }
            return dir;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Writes {@code reader}'s seeds (from the fixtures) into {@code corpus}; returns their count. */
  static int seeds(Readers reader, Path corpus) throws IOException {
    Files.createDirectories(corpus);
    int n = 0;
    switch (reader) {
      case SAFETENSORS -> {
        // tiny-llama's norms (real header, real F16 data), small enough to mutate fast
        SafetensorsWriter all =
            SafetensorsWriter.copyOf(RESOURCES.resolve("models/tiny-llama/model.safetensors"));
        SafetensorsWriter small = new SafetensorsWriter();
        all.tensors().entrySet().stream()
            .filter(e -> e.getKey().contains("norm"))
            .limit(4)
            .forEach(
                e ->
                    small.put(
                        e.getKey(),
                        e.getValue().dtype(),
                        e.getValue().shape(),
                        e.getValue().data()));
        small.metadata("format", "pt");
        small.write(corpus.resolve("seed-" + n++));
        SafetensorsWriter one = new SafetensorsWriter();
        one.put("model.norm.weight", "BF16", new long[] {4}, new byte[8]);
        one.put("x", "F32", new long[] {2, 2}, new byte[16]);
        one.write(corpus.resolve("seed-" + n++));
      }
      case ONNX -> {
        for (TinyDecoder d :
            new TinyDecoder[] {small(false, false), small(true, false), small(false, true)}) {
          Path dir = Files.createTempDirectory("edgellm-seed-");
          Path model = d.write(dir.resolve("model.onnx"));
          Readers.copy(model, corpus.resolve("seed-" + n++));
        }
      }
      case CONFIG -> {
        for (String f :
            new String[] {
              "models/tiny-llama/config.json",
              "models/tiny-gemma3/config.json",
              "models/tiny-qwen3/config.json",
              "configs/gemma-3-270m-v4.json",
              "configs/llama-3.2-1b-v4.json"
            }) {
          Readers.copy(RESOURCES.resolve(f), corpus.resolve("seed-" + n++));
        }
      }
      case TOKENIZER_CONFIG -> {
        for (String m : new String[] {"tiny-llama", "tiny-gemma3", "tiny-qwen3"}) {
          Path f = RESOURCES.resolve("models/" + m + "/tokenizer_config.json");
          if (Files.isRegularFile(f)) {
            Readers.copy(f, corpus.resolve("seed-" + n++));
          }
        }
        Files.writeString(
            corpus.resolve("seed-" + n++),
            "{\"chat_template\": [{\"name\": \"default\", \"template\": \"{{ messages }}\"}]}");
      }
      case HUB -> {
        for (String seed : HubAnswers.seeds()) {
          Files.writeString(corpus.resolve("seed-" + n++), seed, StandardCharsets.ISO_8859_1);
        }
      }
      case ADAPTER_CONFIG -> {
        for (String a :
            new String[] {"tiny-llama-peft", "tiny-gemma3-mlx-lora", "tiny-qwen3-mlx-full"}) {
          Readers.copy(
              RESOURCES.resolve("models/adapters/" + a + "/adapter/adapter_config.json"),
              corpus.resolve("seed-" + n++));
        }
      }
    }
    return n;
  }

  /** A one-layer decoder of a few KB (hidden 8, vocabulary 16): all of its structure, fast. */
  private static TinyDecoder small(boolean external, boolean q4) {
    return TinyDecoder.with(
        d -> {
          d.layers = 1;
          d.kvHeads = 1;
          d.headDim = 4;
          d.hidden = 8;
          d.vocab = 16;
          d.externalEmbedding = external;
          d.quantizedHead = q4;
        });
  }
}
