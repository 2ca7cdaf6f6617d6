package dev.edgellm.testing;

import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Test inputs: checkpoint folders from src/test/resources, tiny decoders, staged folders. */
public final class Fixtures {
  private Fixtures() {}

  /** The files of the tiny-llama checkpoint copied from ../shared/fixtures (no weights: tests build their own ONNX). */
  public static final List<String> TINY_LLAMA_FILES =
      List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

  /** Copies the tiny-llama checkpoint files into {@code dir} and returns it. */
  public static Path tinyLlamaCheckpoint(Path dir) {
    try {
      Files.createDirectories(dir);
      for (String f : TINY_LLAMA_FILES) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/checkpoints/tiny-llama/" + f)) {
          Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stages a tiny-llama-shaped decoder into {@code root/public/models/tiny-llama}; returns the folder. */
  public static Path stagedTinyLlama(Path root, TinyDecoder decoder, Layout layout) throws Exception {
    return stagedTinyLlama(root, decoder, layout, c -> {});
  }

  /** As above, after {@code editCheckpoint} changed the checkpoint folder. */
  public static Path stagedTinyLlama(Path root, TinyDecoder decoder, Layout layout, CheckpointEdit editCheckpoint)
      throws Exception {
    Path checkpoint = tinyLlamaCheckpoint(root.resolve("checkpoint/tiny-llama"));
    editCheckpoint.edit(checkpoint);
    Path model = decoder.write(root.resolve("build/model.onnx"));
    Path target = root.resolve("public/models/tiny-llama");
    new Stager(Log.NONE).stage(new StageRequest(checkpoint, model, target, layout));
    return target;
  }

  /** Changes a checkpoint folder before staging. */
  @FunctionalInterface
  public interface CheckpointEdit {
    void edit(Path checkpoint) throws Exception;
  }

  /** The shared reference data folder ({@code edgellm.sharedFixtures}), or {@code ../shared/fixtures}. */
  public static Path sharedFixtures() {
    String configured = System.getProperty("edgellm.sharedFixtures");
    return configured != null ? Paths.get(configured) : Paths.get("../shared/fixtures");
  }
}
