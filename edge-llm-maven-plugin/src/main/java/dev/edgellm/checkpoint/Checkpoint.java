package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgellm.maven.Properties;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
import java.util.function.LongFunction;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Tensors are memory-mapped; tied embeddings stored
 * once are resolved through the {@code __metadata__} aliases that {@code save_pretrained} writes.
 */
public final class Checkpoint implements AutoCloseable {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path dir;
  private final ModelConfig config;
  private final List<SafetensorsFile> files;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, SafetensorsFile> owner;
  private final Map<String, String> aliases;
  private final Set<String> used = new LinkedHashSet<>();

  private final Map<String, Derivation> derived;
  private final LongFunction<ByteBuffer> allocator;
  private final List<AutoCloseable> resources;

  private Checkpoint(
      Path dir, ModelConfig config, List<SafetensorsFile> files, LongFunction<ByteBuffer> alloc) {
    this.dir = dir;
    this.config = config;
    this.files = files;
    this.derived = Map.of();
    this.allocator = alloc;
    this.resources = List.of();
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

  /** A view of {@code base} with {@code overlay} applied. */
  private Checkpoint(Checkpoint base, Overlay overlay) {
    this.dir = base.dir;
    this.config = base.config;
    this.files = base.files;
    this.allocator = base.allocator;
    Map<String, TensorInfo> t = new LinkedHashMap<>();
    Map<String, SafetensorsFile> o = new LinkedHashMap<>(base.owner);
    Map<String, Derivation> d = new LinkedHashMap<>(base.derived);
    for (Map.Entry<String, TensorInfo> e : base.tensors.entrySet()) {
      String name = e.getKey();
      if (overlay.hidden.contains(name)) {
        o.remove(name);
        d.remove(name);
        continue;
      }
      if (overlay.stored.containsKey(name)) {
        t.put(name, overlay.stored.get(name));
        o.put(name, overlay.storedIn.get(name));
        d.remove(name);
      } else if (overlay.computed.containsKey(name)) {
        t.put(name, overlay.computedInfo.get(name));
        d.put(name, overlay.computed.get(name));
        o.remove(name);
      } else {
        t.put(name, e.getValue());
      }
    }
    for (String name : overlay.touched()) {
      if (!base.tensors.containsKey(name)) {
        throw new IllegalArgumentException("overlay names '" + name + "', which is not a tensor");
      }
    }
    this.tensors = Collections.unmodifiableMap(t);
    this.owner = o;
    this.derived = d;
    Map<String, String> a = new LinkedHashMap<>();
    base.aliases.forEach(
        (k, v) -> {
          if (t.containsKey(v)) {
            a.put(k, v);
          }
        });
    this.aliases = Collections.unmodifiableMap(a);
    List<AutoCloseable> r = new ArrayList<>(base.resources);
    r.addAll(overlay.resources);
    this.resources = List.copyOf(r);
  }

  /**
   * Produces a derived tensor (a weight merged with an adapter, a dequantized weight) as float32,
   * when it is read.
   */
  @FunctionalInterface
  public interface Derivation {
    /** Writes the tensor's float32 values, row-major, into {@code dst} (exactly its size). */
    void compute(FloatBuffer dst);
  }

  /**
   * Changes to the tensors a checkpoint shows, applied by {@link #with}: a tensor replaced by one
   * stored in another file, replaced by a float32 tensor computed when read, or hidden.
   */
  public static final class Overlay {
    private final Map<String, TensorInfo> stored = new LinkedHashMap<>();
    private final Map<String, SafetensorsFile> storedIn = new LinkedHashMap<>();
    private final Map<String, Derivation> computed = new LinkedHashMap<>();
    private final Map<String, TensorInfo> computedInfo = new LinkedHashMap<>();
    private final Set<String> hidden = new LinkedHashSet<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Shows {@code replacement} (a tensor of {@code file}) under its name instead. */
    public Overlay replace(TensorInfo replacement, SafetensorsFile file) {
      stored.put(replacement.name(), replacement);
      storedIn.put(replacement.name(), file);
      return this;
    }

    /**
     * Shows tensor {@code name} as float32 of {@code shape}, computed by {@code derivation} when
     * read; {@code file} is the file that errors about it name.
     */
    public Overlay compute(String name, long[] shape, Path file, Derivation derivation) {
      long n = 1;
      for (long s : shape) {
        n = Math.multiplyExact(n, s);
      }
      computedInfo.put(name, new TensorInfo(name, DType.F32, shape.clone(), 0, 4 * n, file));
      computed.put(name, derivation);
      return this;
    }

    /** Hides a stored tensor (e.g. the scales of a quantized weight, folded into it). */
    public Overlay hide(String name) {
      hidden.add(name);
      return this;
    }

    /** Closes {@code resource} (e.g. the adapter's file) with the checkpoint. */
    public Overlay closeWith(AutoCloseable resource) {
      resources.add(resource);
      return this;
    }

    /** Whether nothing is changed. */
    public boolean isEmpty() {
      return stored.isEmpty() && computed.isEmpty() && hidden.isEmpty();
    }

    private Set<String> touched() {
      Set<String> s = new LinkedHashSet<>(stored.keySet());
      s.addAll(computed.keySet());
      s.addAll(hidden);
      return s;
    }
  }

  /**
   * A view of this checkpoint with {@code overlay} applied (same folder and config). Closing the
   * view closes this checkpoint's files and the overlay's resources; close only the view.
   */
  public Checkpoint with(Overlay overlay) {
    return new Checkpoint(this, overlay);
  }

  /** Whether {@code t} is computed when read (merged or dequantized), not stored. */
  public boolean isDerived(TensorInfo t) {
    return derived.containsKey(t.name());
  }

  /**
   * Opens a checkpoint folder, reading config.json and every safetensors header (no tensor data).
   */
  public static Checkpoint open(Path dir) {
    return open(dir, Checkpoint::heap);
  }

  /**
   * Opens a checkpoint folder; derived tensors (an MLX-quantized weight dequantized, a weight
   * merged with an adapter) are computed into buffers from {@code allocator} (e.g. memory-mapped
   * scratch space, so a large model stays off the heap). An MLX-quantized checkpoint ({@code
   * quantization} in config.json, {@code uint32} weights with {@code scales} and {@code biases}) is
   * shown as float32 weights, dequantized when read.
   */
  public static Checkpoint open(Path dir, LongFunction<ByteBuffer> allocator) {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(
          "checkpoint folder "
              + dir
              + " does not exist; set "
              + Properties.CHECKPOINT
              + " to a folder holding config.json and model.safetensors");
    }
    List<Path> shardPaths = shardPaths(dir);
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      for (Path p : shardPaths) {
        files.add(SafetensorsFile.open(p));
      }
      // config.json's numbers size what is built: check them against the tensors that exist first
      ModelConfig config = ConfigReader.read(dir, storedLayers(files), storedLayersText(files));
      Checkpoint raw = new Checkpoint(dir, config, files, allocator);
      return MlxQuantization.apply(raw);
    } catch (RuntimeException e) {
      files.forEach(SafetensorsFile::close);
      throw e;
    }
  }

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

  private static String storedLayersText(List<SafetensorsFile> files) {
    int n = storedLayers(files);
    boolean indexed =
        files.stream()
            .flatMap(f -> f.tensors().keySet().stream())
            .anyMatch(t -> LAYER.matcher(t).find());
    return indexed ? "layers 0 to " + (n - 1) + " (" + n + " layers)" : n + " tensors";
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

  /**
   * A tensor's raw little-endian bytes: memory-mapped when stored, computed into a new buffer (from
   * the allocator given to {@link #open(Path, LongFunction)}) each time a derived tensor is read.
   */
  public ByteBuffer map(TensorInfo t) {
    Derivation d = derived.get(t.name());
    if (d != null) {
      ByteBuffer b = allocator.apply(4 * t.elements()).order(ByteOrder.LITTLE_ENDIAN);
      d.compute(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
      return b;
    }
    return owner.get(t.name()).map(t);
  }

  private static ByteBuffer heap(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
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
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // closing read-only files: nothing to recover
      }
    }
  }
}
