package dev.edgellm.checkpoint;

import dev.edgellm.maven.Properties;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Tensors are memory-mapped; tied embeddings stored
 * once are resolved through the {@code __metadata__} aliases that {@code save_pretrained} writes.
 */
public final class Checkpoint implements AutoCloseable {
  private final Path dir;
  private final ModelConfig config;
  private final List<SafetensorsFile> files;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, SafetensorsFile> owner;
  private final Map<String, String> aliases;
  private final Map<String, SafetensorsFile> views = new java.util.HashMap<>();
  private final Map<String, Derivation> viewsDerived = new java.util.HashMap<>();
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
    TensorIndex index = TensorIndex.of(files);
    this.tensors = index.tensors();
    this.owner = index.owner();
    this.aliases = index.aliases();
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

    /**
     * A reader computing each row when it is read, for a derivation that can compute a row on its
     * own (a weight merged with a low-rank adapter): its rows are then never stored whole. Called
     * once per pass over the tensor; null (the default) when the tensor is computed whole.
     */
    default RowReader openRows() {
      return null;
    }
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
    return derived.containsKey(t.name()) || viewsDerived.containsKey(t.name());
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
    List<Path> shardPaths = Shards.paths(dir);
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      for (Path p : shardPaths) {
        files.add(SafetensorsFile.open(p));
      }
      // config.json's numbers size what is built: check them against the tensors that exist first
      ModelConfig config =
          ConfigReader.read(dir, Shards.storedLayers(files), Shards.storedLayersText(files));
      Checkpoint raw = new Checkpoint(dir, config, files, allocator);
      return MlxQuantization.apply(raw);
    } catch (RuntimeException e) {
      files.forEach(SafetensorsFile::close);
      throw e;
    }
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
      throw CheckpointException.missingTensor(name, shape, dir, config);
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw CheckpointException.wrongShape(name, t, shape);
    }
    if (!t.dtype().isExportableFloat()) {
      throw CheckpointException.wrongDtype(name, t);
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
    long cols = shape.length > 1 ? shape[1] : 1;
    long[] viewShape = shape.clone();
    viewShape[0] = rows;
    Derivation d = derived.get(t.name());
    if (d != null) {
      // computed when read (an adapter merged into the fused tensor): compute it, keep the rows
      long n = rows * cols;
      viewsDerived.put(
          viewName,
          dst -> {
            java.nio.FloatBuffer all = map(t).asFloatBuffer();
            all.position(Math.toIntExact(from * cols)).limit(Math.toIntExact(from * cols + n));
            dst.put(all);
          });
      return new TensorInfo(viewName, DType.F32, viewShape, 0, 4 * n, t.file());
    }
    long rowBytes = t.dtype().bytes() * cols;
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

  /**
   * A tensor's raw little-endian bytes: memory-mapped when stored, computed into a new buffer (from
   * the allocator given to {@link #open(Path, LongFunction)}) each time a derived tensor is read.
   */
  public ByteBuffer map(TensorInfo t) {
    Derivation d =
        derived.containsKey(t.name()) ? derived.get(t.name()) : viewsDerived.get(t.name());
    if (d != null) {
      ByteBuffer b = allocator.apply(4 * t.elements()).order(ByteOrder.LITTLE_ENDIAN);
      d.compute(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
      return b;
    }
    SafetensorsFile f = owner.get(t.name());
    return (f != null ? f : views.get(t.name())).map(t);
  }

  /**
   * A 2-D tensor read a row segment at a time as float32: from its memory-mapped bytes when stored;
   * row by row when derived by a {@link Derivation#openRows row derivation} (the merged tensor is
   * never materialized); else computed whole first, as {@link #map} does.
   */
  public RowReader rowReader(TensorInfo t) {
    Derivation d =
        derived.containsKey(t.name()) ? derived.get(t.name()) : viewsDerived.get(t.name());
    RowReader rows = d == null ? null : d.openRows();
    return rows != null ? rows : RowReader.of(map(t), t);
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
    checkFinite(t, v, v.length, 0);
    return v;
  }

  /**
   * Throws when one of the first {@code len} values of {@code v} (those of {@code t} from flat
   * index {@code base} on) is a NaN or an infinity.
   */
  public static void checkFinite(TensorInfo t, float[] v, int len, long base) {
    for (int i = 0; i < len; i++) {
      if (!Float.isFinite(v[i])) {
        throw nonFinite(t, base + i, v[i]);
      }
    }
  }

  /** The error for a NaN or Inf found in {@code t} at {@code index}. */
  public static CheckpointException nonFinite(TensorInfo t, long index, float value) {
    return CheckpointException.nonFinite(t, index, value);
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
