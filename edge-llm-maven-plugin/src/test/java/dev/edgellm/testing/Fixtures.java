package dev.edgellm.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Copies and edits the fixture checkpoints for tests. */
public final class Fixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

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
    ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    edit.accept(c);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
  }
}
