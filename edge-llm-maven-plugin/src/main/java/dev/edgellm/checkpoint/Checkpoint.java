package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgellm.maven.Properties;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Tensors are memory-mapped; tied embeddings stored
 * once are resolved through the {@code __metadata__} aliases that {@code save_pretrained} writes.
 */
public final class Checkpoint implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ModelConfig config;
  private final List<SafetensorsFile> files;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, SafetensorsFile> owner;
  private final Map<String, String> aliases;
  private final Map<String, SafetensorsFile> views = new java.util.HashMap<>();
  private final Set<String> used = new LinkedHashSet<>();

  private Checkpoint(Path dir, ModelConfig config, List<SafetensorsFile> files) {
    this.dir = dir;
    this.config = config;
    this.files = files;
    Map<String, TensorInfo> t = new LinkedHashMap<>();
    Map<String, SafetensorsFile> o = new LinkedHashMap<>();
    Map<String, String> a = new LinkedHashMap<>();
    for (SafetensorsFile f : files) {
      for (TensorInfo info : f.tensors().values()) {
        if (t.containsKey(info.name())) {
          throw new CheckpointException(
              "tensor '"
                  + info.name()
                  + "' is stored twice, in "
                  + o.get(info.name()).path()
                  + " and "
                  + f.path()
                  + "; remove one copy");
        }
        t.put(info.name(), info);
        o.put(info.name(), f);
      }
    }
    for (SafetensorsFile f : files) {
      f.metadata()
          .forEach(
              (k, v) -> {
                if (!t.containsKey(k) && t.containsKey(v)) {
                  a.put(k, v);
                }
              });
    }
    this.tensors = Collections.unmodifiableMap(t);
    this.owner = o;
    this.aliases = Collections.unmodifiableMap(a);
  }

  /**
   * Opens a checkpoint folder, reading config.json and every safetensors header (no tensor data).
   */
  public static Checkpoint open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(
          "checkpoint folder "
              + dir
              + " does not exist; set "
              + Properties.CHECKPOINT
              + " to a folder holding config.json and model.safetensors");
    }
    ModelConfig config = ConfigReader.read(dir);
    List<Path> shardPaths = shardPaths(dir);
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      for (Path p : shardPaths) {
        files.add(SafetensorsFile.open(p));
      }
      return new Checkpoint(dir, config, files);
    } catch (RuntimeException e) {
      files.forEach(SafetensorsFile::close);
      throw e;
    }
  }

  private static List<Path> shardPaths(Path dir) {
    Path index = dir.resolve("model.safetensors.index.json");
    Path single = dir.resolve("model.safetensors");
    if (Files.isRegularFile(index)) {
      JsonNode root;
      try {
        root = JSON.readTree(index.toFile());
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

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  /** All stored tensors by name (aliases not included). */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** Whether a tensor is stored, directly or as an alias. */
  public boolean has(String name) {
    return tensors.containsKey(name) || aliases.containsKey(name);
  }

  /**
   * Looks a tensor up, checks its dtype and shape, and marks it used.
   *
   * @throws CheckpointException naming the tensor and the expected shape when missing or of another
   *     shape
   */
  public TensorInfo require(String name, long... shape) {
    String stored = aliases.getOrDefault(name, name);
    TensorInfo t = tensors.get(stored);
    if (t == null) {
      throw new CheckpointException(
          "tensor '"
              + name
              + "' "
              + Arrays.toString(shape)
              + " is missing in "
              + dir
              + " (config.json says model_type "
              + config.modelType()
              + " with "
              + config.numHiddenLayersText()
              + "); the checkpoint does not match its config.json: use the config saved with these weights");
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new CheckpointException(
          "tensor '"
              + name
              + "' in "
              + t.file()
              + " has shape "
              + t.shapeText()
              + " but config.json implies "
              + Arrays.toString(shape)
              + "; the checkpoint does not match its config.json: use the config saved with these weights");
    }
    if (!t.dtype().isExportableFloat()) {
      throw new CheckpointException(
          "tensor '"
              + name
              + "' in "
              + t.file()
              + " has dtype "
              + t.dtype()
              + "; supported weight dtypes are F32, F16 and BF16: save the checkpoint in one of them (quantized checkpoints must be dequantized first)");
    }
    used.add(stored);
    return t;
  }

  /**
   * A view of rows {@code [from, from + rows)} of a stored 2-D (or 1-D) tensor, named {@code
   * viewName}: the bytes stay where they are (one memory-mapped range), so a fused projection reads
   * as its parts and a 4-bit export of a part quantizes exactly the rows a float32 export writes.
   * Marks the stored tensor used.
   *
   * @param shape the full shape of the stored tensor, checked like {@link #require}
   */
  public TensorInfo rows(String name, long[] shape, String viewName, long from, long rows) {
    TensorInfo t = require(name, shape);
    long rowBytes = t.dtype().bytes() * (shape.length > 1 ? shape[1] : 1);
    long[] viewShape = shape.clone();
    viewShape[0] = rows;
    long begin = t.begin() + from * rowBytes;
    TensorInfo view =
        new TensorInfo(viewName, t.dtype(), viewShape, begin, begin + rows * rowBytes, t.file());
    views.put(viewName, owner.get(t.name()));
    return view;
  }

  /** Marks a stored tensor as deliberately ignored (e.g. a duplicate tied lm_head). */
  public void ignore(String name) {
    if (tensors.containsKey(name)) {
      used.add(name);
    }
  }

  /** Stored tensors that nothing required or ignored so far, in file order. */
  public List<String> unused() {
    List<String> out = new ArrayList<>();
    for (String n : tensors.keySet()) {
      if (!used.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Memory-maps a tensor's raw little-endian bytes. */
  public ByteBuffer map(TensorInfo t) {
    SafetensorsFile f = owner.get(t.name());
    return (f != null ? f : views.get(t.name())).map(t);
  }

  /**
   * Reads a tensor as float32 and checks that every value is finite.
   *
   * @throws CheckpointException naming the tensor and the first bad index when a NaN or Inf is
   *     found
   */
  public float[] floats(TensorInfo t) {
    float[] v = DTypes.toFloats(map(t), t);
    checkFinite(t, v);
    return v;
  }

  /** Throws when {@code v} (the values of {@code t}) holds a NaN or an infinity. */
  public static void checkFinite(TensorInfo t, float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw nonFinite(t, i, v[i]);
      }
    }
  }

  /** The error for a NaN or Inf found in {@code t} at {@code index}. */
  public static CheckpointException nonFinite(TensorInfo t, long index, float value) {
    return new CheckpointException(
        "tensor '"
            + t.name()
            + "' in "
            + t.file()
            + " holds "
            + value
            + " at flat index "
            + index
            + "; the weights are corrupt or the training diverged: export a checkpoint with finite weights");
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
