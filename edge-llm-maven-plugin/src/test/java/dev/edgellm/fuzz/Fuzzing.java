package dev.edgellm.fuzz;

import dev.edgellm.hub.HubAnswers;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Folders and seed corpora of the fuzz targets, from the committed fixtures. */
final class Fuzzing {
  private Fuzzing() {}

  private static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();
  private static final Map<Readers, Path> FOLDERS = new EnumMap<>(Readers.class);

  /** tiny-llama, the base checkpoint adapter configs are merged onto. */
  static Path base() {
    return RESOURCES.resolve("models/tiny-llama");
  }

  /**
   * The system property that gives a fuzzing child JVM the scratch folder its parent made (and
   * removes when the child is gone, however it ended).
   */
  static final String SCRATCH_PROPERTY = "edgellm.fuzz.scratch";

  /** The name of every scratch folder: this prefix, the owning process's id, a dash. */
  static final String SCRATCH_PREFIX = "edgellm-fuzz-";

  private static final Pattern SCRATCH_NAME =
      Pattern.compile(Pattern.quote(SCRATCH_PREFIX) + "(\\d+)-.*");

  /** Where scratch folders go: /dev/shm where there is a writable one, else the temp folder. */
  static Path scratchBase() {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm)
        ? shm
        : Path.of(System.getProperty("java.io.tmpdir"));
  }

  /**
   * A new scratch folder owned by this process ({@code edgellm-fuzz-<pid>-<random>} under {@link
   * #scratchBase}), after removing those of processes that are gone (killed before they could clean
   * up).
   */
  static Path newScratch() throws IOException {
    Path base = scratchBase();
    sweepStale(base);
    return Files.createTempDirectory(base, SCRATCH_PREFIX + ProcessHandle.current().pid() + "-");
  }

  /**
   * Removes the scratch folders under {@code base} whose owning process is no longer alive; returns
   * how many. Folders of live processes, and folders not named by {@link #newScratch}, stay.
   */
  static int sweepStale(Path base) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(base, SCRATCH_PREFIX + "*")) {
      for (Path p : all) {
        Matcher m = SCRATCH_NAME.matcher(p.getFileName().toString());
        if (m.matches()
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
            && !ProcessHandle.of(Long.parseLong(m.group(1)))
                .map(ProcessHandle::isAlive)
                .orElse(false)) {
          stale.add(p);
        }
      }
    }
    for (Path p : stale) {
      deleteTree(p);
    }
    return stale.size();
  }

  /** Deletes {@code root} and everything under it (links are deleted, not followed). */
  static void deleteTree(Path root) throws IOException {
    FileTrees.delete(root);
  }

  /**
   * This process's scratch folder: the one the parent gave ({@link #SCRATCH_PROPERTY}; this process
   * then halts when the parent is gone, so that the parent's clean-up is final), else a new one
   * that a shutdown hook removes.
   */
  private static Path scratchRoot() throws IOException {
    String given = System.getProperty(SCRATCH_PROPERTY);
    if (given != null) {
      ProcessHandle.current()
          .parent()
          .ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
      return Path.of(given);
    }
    Path root = newScratch();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    deleteTree(root);
                  } catch (IOException e) {
                    // best effort at exit; the next run's sweep removes it
                  }
                }));
    return root;
  }

  private static Path root;

  /** This process's folder for {@code reader}'s input, with the files it reads beside it. */
  static synchronized Path folder(Readers reader) {
    return FOLDERS.computeIfAbsent(
        reader,
        r -> {
          try {
            if (root == null) {
              root = scratchRoot();
            }
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
          try {
            Readers.copy(d.write(dir.resolve("model.onnx")), corpus.resolve("seed-" + n++));
          } finally {
            deleteTree(dir);
          }
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
