package dev.edgellm.demo;

import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the demo checkpoint, so that a generated app builds and runs with no checkpoint
 * configured: a tiny tool-calling model in FunctionGemma's format (gemma3_text, hidden 128, 4
 * layers, bf16, 1.8 MB) laid out as a Hugging Face checkpoint on disk.
 *
 * <p>It was trained to memorize 44 example conversations over three demo tools ({@code calculate},
 * {@code get_weather}, {@code search_web}; the app's {@code tools/examples.json}): on those queries
 * it calls the tool and, given the tool's result, answers; on anything else it produces nonsense.
 * Its {@code config.json} carries {@code "edge_llm_demo": true}, so every later stage (and the web
 * app) says that this is the demo. The files are resources of this plugin (copied from the
 * project's {@code tiny-functiongemma} reference fixture), so the same call always writes
 * byte-identical files.
 */
public final class DemoCheckpoint {
  private DemoCheckpoint() {}

  /** Key set to {@code true} in the demo's {@code config.json}. */
  public static final String DEMO_FLAG = "edge_llm_demo";

  /**
   * Where a build puts the demo, relative to its build directory ({@code target/}): every goal that
   * finds no checkpoint configured writes it there (cheap, and byte-identical each time) and uses
   * it.
   */
  public static final String BUILD_SUBDIRECTORY = "edge-llm/demo-checkpoint";

  /** The files {@link #write(Path)} creates, in the order it writes them. */
  public static final List<String> FILES =
      List.of(
          "model.safetensors",
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  /** The tools the demo model was trained to call, in the order its prompts declare them. */
  public static final List<String> TOOLS = List.of("calculate", "get_weather", "search_web");

  private static final String RESOURCES = "checkpoint/";

  /**
   * Writes the demo checkpoint into {@code dir} (created if missing). A file that already holds
   * exactly the demo's bytes is left alone (its modification time too, for the goals' up-to-date
   * checks); any other is replaced atomically (temporary name, then rename).
   *
   * @return {@code dir}
   */
  public static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : FILES) {
      byte[] content = resource(name);
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)
          && Files.size(file) == content.length
          && Arrays.equals(Files.readAllBytes(file), content)) {
        continue;
      }
      AtomicFiles.write(
          file,
          channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
              channel.write(buffer);
            }
          });
    }
    return dir;
  }

  /**
   * The warning to log, one line per entry, when a build falls back to the demo written in {@code
   * dir}: it must be impossible to miss that this is not the user's model.
   */
  public static List<String> warning(Path dir) {
    return List.of(
        "************************************************************************",
        "* No checkpoint configured (edgellm.checkpoint): using the DEMO model,   ",
        "* a tiny tool caller (FunctionGemma format) that only MEMORIZED 44 demo  ",
        "* queries over the tools calculate, get_weather and search_web. It knows ",
        "* nothing else: any other prompt gets nonsense.                          ",
        "* Demo checkpoint: " + dir,
        "* Set <edgellm.checkpoint>/path/to/your/model</edgellm.checkpoint> in     ",
        "* pom.xml (or -Dedgellm.checkpoint=...) to use your own model.           ",
        "************************************************************************");
  }

  /**
   * True when {@code checkpointDir}'s config.json is the demo's (it says {@code edge_llm_demo}).
   */
  public static boolean isDemo(Path checkpointDir) {
    Path config = checkpointDir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try {
      return Json.read(config).path(DEMO_FLAG).asBoolean(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = DemoCheckpoint.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "The plugin jar lacks its demo file dev/edgellm/demo/" + RESOURCES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
