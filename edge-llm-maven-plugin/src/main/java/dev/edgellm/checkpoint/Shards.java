package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a checkpoint's tensors are stored: its safetensors files, and how many layers they hold.
 */
final class Shards {
  private Shards() {}

  private static final java.util.regex.Pattern LAYER =
      java.util.regex.Pattern.compile("(?:^|\\.)layers\\.(\\d{1,9})\\.");

  /**
   * The number of layers the tensors hold: one more than the highest {@code layers.N.} index, or,
   * where no name has one, the number of tensors (a layer has at least one).
   */
  static int storedLayers(List<SafetensorsFile> files) {
    int max = -1;
    int count = 0;
    for (SafetensorsFile f : files) {
      for (String name : f.tensors().keySet()) {
        count++;
        java.util.regex.Matcher m = LAYER.matcher(name);
        if (m.find()) {
          max = Math.max(max, Integer.parseInt(m.group(1)));
        }
      }
    }
    return max >= 0 ? max + 1 : count;
  }

  /** {@link #storedLayers} in words, for messages. */
  static String storedLayersText(List<SafetensorsFile> files) {
    int n = storedLayers(files);
    boolean indexed =
        files.stream()
            .flatMap(f -> f.tensors().keySet().stream())
            .anyMatch(t -> LAYER.matcher(t).find());
    return indexed ? "layers 0 to " + (n - 1) + " (" + n + " layers)" : n + " tensors";
  }

  /**
   * The safetensors files of a checkpoint folder: the shards its {@code
   * model.safetensors.index.json} names (sorted), or its {@code model.safetensors}.
   */
  static List<Path> paths(Path dir) {
    Path index = dir.resolve("model.safetensors.index.json");
    Path single = dir.resolve("model.safetensors");
    if (Files.isRegularFile(index)) {
      JsonNode root;
      try {
        root = Json.MAPPER.readTree(index.toFile());
      } catch (IOException e) {
        throw new CheckpointException(
            index + " is not valid JSON: " + e.getMessage() + "; fix or re-download it");
      }
      JsonNode map = root == null ? null : root.get("weight_map");
      if (map == null || !map.isObject()) {
        throw new CheckpointException(index + " has no 'weight_map' object; fix or re-download it");
      }
      Set<String> shards = new TreeSet<>();
      for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
        shards.add(it.next().asText());
      }
      List<Path> out = new ArrayList<>();
      for (String s : shards) {
        Path p = dir.resolve(s).normalize();
        if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
          throw new CheckpointException(
              index
                  + " names shard '"
                  + s
                  + "', which is missing in "
                  + dir
                  + "; download every shard listed in the index");
        }
        out.add(p);
      }
      return out;
    }
    if (Files.isRegularFile(single)) {
      return List.of(single);
    }
    throw new CheckpointException(
        "no model.safetensors or model.safetensors.index.json in "
            + dir
            + "; save the model with safe_serialization (the default of save_pretrained) or download its safetensors files");
  }
}
