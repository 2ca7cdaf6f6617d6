package dev.edgellm.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Test inputs: fixture checkpoints (copied, edited), tiny decoders, staged folders. */
public final class Fixtures {

  private Fixtures() {}

  /** The committed copy of a tiny-* fixture. */
  public static Path tiny(String name) {
    return Path.of("src/test/resources/models", name);
  }

  /** Copies a checkpoint folder (config.json and model.safetensors) to {@code dest}. */
  public static Path copy(Path src, Path dest) throws IOException {
    Files.createDirectories(dest);
    try (Stream<Path> files = Files.list(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (n.equals("config.json") || n.startsWith("model.safetensors")) {
          Files.copy(p, dest.resolve(n));
        }
      }
    }
    return dest;
  }

  /** Edits {@code dir/config.json} in place. */
  public static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode c = Json.readObject(dir.resolve("config.json"));
    edit.accept(c);
    AtomicFiles.writeString(dir.resolve("config.json"), Json.pretty(c));
  }

  /**
   * The files of the tiny-llama checkpoint copied from ../shared/fixtures (no weights: tests build
   * their own ONNX).
   */
  public static final List<String> TINY_LLAMA_FILES =
      List.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  /** Copies the tiny-llama checkpoint files into {@code dir} and returns it. */
  public static Path tinyLlamaCheckpoint(Path dir) {
    try {
      Files.createDirectories(dir);
      for (String f : TINY_LLAMA_FILES) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/models/tiny-llama/" + f)) {
          Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stages a tiny-llama-shaped decoder into {@code root/public/models/tiny-llama}; returns the
   * folder.
   */
  public static Path stagedTinyLlama(Path root, TinyDecoder decoder, Layout layout)
      throws Exception {
    return stagedTinyLlama(root, decoder, layout, c -> {});
  }

  /** As above, after {@code editCheckpoint} changed the checkpoint folder. */
  public static Path stagedTinyLlama(
      Path root, TinyDecoder decoder, Layout layout, CheckpointEdit editCheckpoint)
      throws Exception {
    Path checkpoint = tinyLlamaCheckpoint(root.resolve("checkpoint/tiny-llama"));
    editCheckpoint.edit(checkpoint);
    Path model = decoder.write(root.resolve("build/model.onnx"));
    Path target = root.resolve("public/models/tiny-llama");
    new Stager(Reporter.silent()).stage(new StageRequest(checkpoint, model, target, layout));
    return target;
  }

  /** Changes a checkpoint folder before staging. */
  @FunctionalInterface
  public interface CheckpointEdit {
    void edit(Path checkpoint) throws Exception;
  }

  /**
   * The shared reference data folder ({@code edgellm.sharedFixtures}), or {@code
   * ../shared/fixtures}.
   */
  public static Path sharedFixtures() {
    String configured = System.getProperty("edgellm.sharedFixtures");
    return configured != null ? Paths.get(configured) : Paths.get("../shared/fixtures");
  }
}
