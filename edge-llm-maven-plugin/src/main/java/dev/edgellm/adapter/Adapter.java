package dev.edgellm.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.maven.Properties;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fine-tuning adapter folder ({@code edgellm.adapter}) merged into a base checkpoint while its
 * weights stream: each adapted weight is shown as a float32 tensor computed when the export reads
 * it (one tensor at a time), so fp32 and q4 exports both see the merged weights and a q4 export
 * stays byte-identical to an fp32 export then quantized.
 *
 * <ul>
 *   <li>PEFT LoRA ({@code adapter_model.safetensors} + {@code adapter_config.json}): {@code W' = W
 *       + scale·B·A}, {@code scale = lora_alpha/r} ({@code lora_alpha/√r} with {@code use_rslora});
 *       {@code rank_pattern}/{@code alpha_pattern}, {@code target_modules} and {@code
 *       layers_to_transform} are honoured; DoRA with {@code use_dora}; {@code modules_to_save}
 *       weights replace the base's.
 *   <li>mlx_lm ({@code adapters.safetensors} + {@code adapter_config.json}) by {@code
 *       fine_tune_type}: {@code lora} ({@code W' = W + (scale·lora_bᵀ)·lora_aᵀ}), {@code dora}
 *       (then each row scaled to {@code m/‖row‖}) and {@code full} (replacement weights).
 * </ul>
 */
public final class Adapter {
  static final String CONFIG = "adapter_config.json";
  private static final String PEFT_PREFIX = "base_model.model.";
  private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

  private final Path dir;
  private final AdapterLayout layout;
  private final JsonNode config;

  private Adapter(Path dir, AdapterLayout layout, JsonNode config) {
    this.dir = dir;
    this.layout = layout;
    this.config = config;
  }

  /**
   * Reads an adapter folder's {@code adapter_config.json} and finds its layout.
   *
   * @throws AdapterException when the folder holds no adapter this tool knows
   */
  public static Adapter open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new AdapterException(
          "adapter folder "
              + dir
              + " does not exist; set "
              + Properties.ADAPTER
              + " to the folder your fine-tuning wrote"
              + " (mlx_lm lora --adapter-path, or PEFT's save_pretrained output)");
    }
    Path cfgFile = dir.resolve(CONFIG);
    boolean peft = Files.isRegularFile(dir.resolve(AdapterLayout.PEFT_LORA.weightsFile()));
    boolean mlx = Files.isRegularFile(dir.resolve(AdapterLayout.MLX_LORA.weightsFile()));
    if (!Files.isRegularFile(cfgFile) || (!peft && !mlx)) {
      String extra =
          Files.isRegularFile(dir.resolve("adapter_model.bin"))
              ? " (adapter_model.bin is a pickle: save the adapter again with PEFT's"
                  + " save_pretrained(..., safe_serialization=True))"
              : "";
      throw new AdapterException(
          dir
              + " is not an adapter folder this tool knows"
              + extra
              + ": expected adapter_config.json with adapter_model.safetensors (PEFT) or"
              + " adapters.safetensors (mlx_lm lora/dora/full); point "
              + Properties.ADAPTER
              + " at the folder"
              + " the fine-tuning wrote, or at nothing for a fused checkpoint");
    }
    JsonNode cfg;
    try {
      cfg = Json.read(cfgFile);
    } catch (IOException e) {
      throw new AdapterException(
          cfgFile + " is not valid JSON (" + e.getMessage() + "); save the adapter again");
    }
    if (cfg == null || !cfg.isObject()) {
      throw new AdapterException(cfgFile + " is not a JSON object; save the adapter again");
    }
    AdapterLayout layout;
    if (peft) {
      String type = cfg.path("peft_type").asText("LORA");
      if (!type.equalsIgnoreCase("LORA")) {
        throw new AdapterException(
            cfgFile
                + ": peft_type '"
                + type
                + "' is not supported; only LoRA (and DoRA, use_dora) adapters can be merged:"
                + " merge it with PEFT's merge_and_unload and export the fused checkpoint");
      }
      layout =
          cfg.path("use_dora").asBoolean(false) ? AdapterLayout.PEFT_DORA : AdapterLayout.PEFT_LORA;
    } else {
      String type =
          cfg.has("fine_tune_type")
              ? cfg.get("fine_tune_type").asText()
              : (cfg.path("use_dora").asBoolean(false) ? "dora" : "lora");
      layout =
          switch (type) {
            case "lora" -> AdapterLayout.MLX_LORA;
            case "dora" -> AdapterLayout.MLX_DORA;
            case "full" -> AdapterLayout.MLX_FULL;
            default ->
                throw new AdapterException(
                    cfgFile
                        + ": fine_tune_type '"
                        + type
                        + "' is not supported; mlx_lm adapters of type lora, dora or full can be"
                        + " merged: train with --fine-tune-type lora, dora or full, or fuse with"
                        + " mlx_lm fuse and export the fused model");
          };
    }
    return new Adapter(dir, layout, cfg);
  }

  public Path dir() {
    return dir;
  }

  public AdapterLayout layout() {
    return layout;
  }

  /** The file holding the adapter's tensors. */
  public Path weights() {
    return dir.resolve(layout.weightsFile());
  }

  /** The SHA-256 of the adapter's tensors file (what {@code edge-llm.json} records). */
  public String weightsSha256() {
    try {
      return Sha256.of(weights());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + weights(), e);
    }
  }

  /**
   * {@code base} with this adapter merged: a view whose adapted weights are computed (fp32) when
   * read. Every adapter tensor must match a base weight; closing the view closes the adapter file.
   *
   * @throws AdapterException naming the key and the fix when the adapter does not fit the base
   */
  public Checkpoint applyTo(Checkpoint base, Reporter log) {
    SafetensorsFile file = SafetensorsFile.open(weights());
    try {
      Checkpoint.Overlay overlay = new Checkpoint.Overlay().closeWith(file);
      String summary =
          switch (layout) {
            case PEFT_LORA, PEFT_DORA -> peft(base, file, overlay, log);
            case MLX_LORA, MLX_DORA -> mlxLora(base, file, overlay);
            case MLX_FULL -> mlxFull(base, file, overlay);
          };
      if (overlay.isEmpty()) {
        throw new AdapterException(
            weights()
                + " holds no tensors; the adapter is empty: train it again or unset"
                + " "
                + Properties.ADAPTER);
      }
      log.info(
          "adapter: "
              + dir
              + " ("
              + layout.id()
              + ", "
              + summary
              + "), merged in fp32 while the weights stream");
      return base.with(overlay);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  // ---- PEFT -------------------------------------------------------------------------------------

  private String peft(
      Checkpoint base, SafetensorsFile file, Checkpoint.Overlay overlay, Reporter log) {
    Path cfgFile = dir.resolve(CONFIG);
    int r = cfg("r", 8);
    double alpha = config.path("lora_alpha").asDouble(8);
    boolean rslora = config.path("use_rslora").asBoolean(false);
    if (config.path("fan_in_fan_out").asBoolean(false)) {
      // PEFT does the same for torch.nn.Linear targets (every architecture export supports).
      log.warn(
          "adapter: "
              + cfgFile
              + " sets fan_in_fan_out, which PEFT ignores for nn.Linear layers (it is for GPT-2's"
              + " Conv1D); merged as W + scale·B·A like PEFT's merge_and_unload");
    }
    Map<String, Module> modules = new LinkedHashMap<>();
    for (TensorInfo t : file.tensors().values()) {
      String key = t.name();
      if (!key.startsWith(PEFT_PREFIX)) {
        throw unknownKey(key, "PEFT keys start with '" + PEFT_PREFIX + "'");
      }
      String rest = key.substring(PEFT_PREFIX.length());
      if (rest.contains("lora_embedding_")) {
        throw new AdapterException(
            weights()
                + ": '"
                + key
                + "' is LoRA on an embedding, which this tool does not merge; train without the"
                + " embedding in target_modules, or merge with PEFT's merge_and_unload and export"
                + " the fused checkpoint");
      }
      String part = null;
      String module = null;
      for (String suffix :
          new String[] {
            ".lora_A.weight",
            ".lora_B.weight",
            ".lora_magnitude_vector.weight",
            ".lora_magnitude_vector"
          }) {
        if (rest.endsWith(suffix)) {
          module = rest.substring(0, rest.length() - suffix.length());
          part = suffix.startsWith(".lora_A") ? "A" : suffix.startsWith(".lora_B") ? "B" : "m";
          break;
        }
      }
      if (module == null) {
        if (rest.contains(".lora_")) {
          throw unknownKey(
              key, "known LoRA keys end in lora_A.weight, lora_B.weight or lora_magnitude_vector");
        }
        // modules_to_save: a whole weight that replaces the base's
        String target = rest.replace(".modules_to_save.", ".");
        replace(base, overlay, file, t, target, key);
        continue;
      }
      modules.computeIfAbsent(module, m -> new Module(m)).set(part, t);
    }
    checkSomethingMatches(base, modules);
    Set<Integer> layers = intSet(config.get("layers_to_transform"));
    JsonNode targets = config.get("target_modules");
    for (Module m : modules.values()) {
      m.requireAB(this);
      if (layers != null) {
        int layer = layerOf(m.name);
        if (layer >= 0 && !layers.contains(layer)) {
          throw new AdapterException(
              weights()
                  + ": '"
                  + m.a.name()
                  + "' adapts layer "
                  + layer
                  + ", but "
                  + cfgFile
                  + " has layers_to_transform "
                  + layers
                  + "; the adapter's weights and config do not belong together: save the adapter"
                  + " again");
        }
      }
      if (targets != null && !targets.isNull() && !isTargeted(m.name, targets)) {
        throw new AdapterException(
            weights()
                + ": '"
                + m.a.name()
                + "' adapts module '"
                + m.name
                + "', which "
                + cfgFile
                + "'s target_modules "
                + targets
                + " does not name; the adapter's weights and config do not belong together: save"
                + " the adapter again");
      }
      int rank = (int) m.a.shape()[0];
      int moduleR = (int) pattern(config.get("rank_pattern"), m.name, r);
      double moduleAlpha = pattern(config.get("alpha_pattern"), m.name, alpha);
      if (rank != moduleR) {
        throw new AdapterException(
            weights()
                + ": '"
                + m.a.name()
                + "' has rank "
                + rank
                + " "
                + m.a.shapeText()
                + " but "
                + cfgFile
                + " says r="
                + moduleR
                + "; the adapter's weights and config do not belong together: save the adapter"
                + " again");
      }
      double scale = rslora ? moduleAlpha / Math.sqrt(rank) : moduleAlpha / rank;
      TensorInfo w = baseWeight(base, m, m.a);
      long out = w.shape()[0];
      long in = w.shape()[1];
      checkShape(m.a, w, rank, in);
      checkShape(m.b, w, out, rank);
      if (layout == AdapterLayout.PEFT_DORA) {
        m.requireMagnitude(this, "lora_magnitude_vector");
        checkShape(m.m, w, out);
      }
      addLowRank(base, overlay, file, w, m, rank, (float) scale, false);
    }
    return String.format(
        Locale.ROOT,
        "r=%d, lora_alpha=%s, scale %s%s, %d weights",
        r,
        num(alpha),
        num(rslora ? alpha / Math.sqrt(r) : alpha / r),
        rslora ? " (rsLoRA)" : "",
        modules.size());
  }

  // ---- mlx_lm -----------------------------------------------------------------------------------

  private String mlxLora(Checkpoint base, SafetensorsFile file, Checkpoint.Overlay overlay) {
    Path cfgFile = dir.resolve(CONFIG);
    JsonNode lp = config.get("lora_parameters");
    if (lp == null || !lp.isObject() || !lp.has("scale")) {
      throw new AdapterException(
          cfgFile
              + " has no lora_parameters {rank, scale}; use the adapter_config.json that"
              + " mlx_lm lora wrote with these adapters");
    }
    double scale = lp.get("scale").asDouble();
    int configRank = lp.path("rank").asInt(-1);
    Map<String, Module> modules = new LinkedHashMap<>();
    for (TensorInfo t : file.tensors().values()) {
      String key = t.name();
      String part = null;
      String module = null;
      for (String suffix : new String[] {".lora_a", ".lora_b", ".m"}) {
        if (key.endsWith(suffix)) {
          module = key.substring(0, key.length() - suffix.length());
          part = suffix.equals(".lora_a") ? "A" : suffix.equals(".lora_b") ? "B" : "m";
          break;
        }
      }
      if (module == null) {
        throw unknownKey(
            key, "mlx_lm " + layout.id() + " keys end in .lora_a, .lora_b (and .m for dora)");
      }
      if (part.equals("m") && layout != AdapterLayout.MLX_DORA) {
        throw unknownKey(
            key, "a magnitude '.m' belongs to a dora adapter but fine_tune_type is lora");
      }
      modules.computeIfAbsent(module, m -> new Module(m)).set(part, t);
    }
    checkSomethingMatches(base, modules);
    int layers = base.config().numLayers();
    int numLayers = config.path("num_layers").asInt(-1);
    JsonNode keys = lp.get("keys");
    for (Module m : modules.values()) {
      m.requireAB(this);
      int layer = layerOf(m.name);
      if (numLayers >= 0 && layer >= 0 && layer < layers - numLayers) {
        throw new AdapterException(
            weights()
                + ": '"
                + m.a.name()
                + "' adapts layer "
                + layer
                + ", but "
                + cfgFile
                + " has num_layers "
                + numLayers
                + " (the last "
                + numLayers
                + " of the base's "
                + layers
                + " layers); the adapter was trained on another base model or its config"
                + " is not its own: set "
                + Properties.CHECKPOINT
                + " to the model it was trained on");
      }
      if (keys != null && keys.isArray() && !endsWithAny(m.name, keys)) {
        throw new AdapterException(
            weights()
                + ": '"
                + m.a.name()
                + "' adapts '"
                + m.name
                + "', which "
                + cfgFile
                + "'s lora_parameters.keys "
                + keys
                + " does not name; the adapter's weights and"
                + " config do not belong together");
      }
      int rank = (int) m.a.shape()[m.a.shape().length - 1];
      if (configRank > 0 && rank != configRank) {
        throw new AdapterException(
            weights()
                + ": '"
                + m.a.name()
                + "' has rank "
                + rank
                + " "
                + m.a.shapeText()
                + " but "
                + cfgFile
                + " says lora_parameters.rank "
                + configRank
                + "; the adapter's weights and config do not belong together");
      }
      TensorInfo w = baseWeight(base, m, m.a);
      long out = w.shape()[0];
      long in = w.shape()[1];
      checkShape(m.a, w, in, rank);
      checkShape(m.b, w, rank, out);
      if (layout == AdapterLayout.MLX_DORA) {
        m.requireMagnitude(this, "m");
        checkShape(m.m, w, out);
      }
      addLowRank(base, overlay, file, w, m, rank, (float) scale, true);
    }
    return String.format(
        Locale.ROOT, "rank %d, scale %s, %d weights", configRank, num(scale), modules.size());
  }

  private String mlxFull(Checkpoint base, SafetensorsFile file, Checkpoint.Overlay overlay) {
    for (TensorInfo t : file.tensors().values()) {
      replace(base, overlay, file, t, t.name(), t.name());
    }
    return file.tensors().size() + " weights replaced";
  }

  // ---- shared -----------------------------------------------------------------------------------

  private void addLowRank(
      Checkpoint base,
      Checkpoint.Overlay overlay,
      SafetensorsFile file,
      TensorInfo w,
      Module m,
      int rank,
      float scale,
      boolean mlx) {
    int out = (int) w.shape()[0];
    int in = (int) w.shape()[1];
    TensorInfo a = m.a;
    TensorInfo b = m.b;
    TensorInfo mag = m.m;
    overlay.compute(
        w.name(),
        w.shape(),
        w.file(),
        dst -> {
          float[] av = file.readFloats(a);
          float[] bv = file.readFloats(b);
          if (mlx) {
            av = LowRankMerge.transpose(av, in, rank); // lora_a [in, r] -> A [r, in]
            bv = LowRankMerge.transpose(bv, rank, out); // lora_b [r, out] -> B [out, r]
          }
          for (int i = 0; i < bv.length; i++) {
            bv[i] *= scale;
          }
          float[] mv = mag == null ? null : file.readFloats(mag);
          LowRankMerge.merge(base, w, av, bv, rank, mv, dst);
        });
  }

  private void replace(
      Checkpoint base,
      Checkpoint.Overlay overlay,
      SafetensorsFile file,
      TensorInfo t,
      String target,
      String key) {
    TensorInfo w = base.tensors().get(target);
    if (w == null) {
      throw new AdapterException(
          weights()
              + ": '"
              + key
              + "' would replace base weight '"
              + target
              + "', which "
              + base.dir()
              + " does not have; the adapter was trained on another model: set"
              + " "
              + Properties.CHECKPOINT
              + " to the base model it was trained on"
              + baseHint());
    }
    if (!Arrays.equals(w.shape(), t.shape())) {
      throw new AdapterException(
          weights()
              + ": '"
              + key
              + "' is "
              + t.shapeText()
              + " but base weight '"
              + target
              + "' is "
              + w.shapeText()
              + "; the adapter was trained on another model: set"
              + " "
              + Properties.CHECKPOINT
              + " to the base model it was trained on"
              + baseHint());
    }
    if (!t.dtype().isExportableFloat()) {
      throw new AdapterException(
          weights()
              + ": '"
              + key
              + "' has dtype "
              + t.dtype()
              + "; adapter weights must be F32, F16 or BF16: save the adapter again unquantized");
    }
    overlay.replace(
        new TensorInfo(target, t.dtype(), t.shape(), t.begin(), t.end(), t.file()), file);
  }

  private TensorInfo baseWeight(Checkpoint base, Module m, TensorInfo key) {
    String target = m.name + ".weight";
    TensorInfo w = base.tensors().get(target);
    if (w == null) {
      throw new AdapterException(
          weights()
              + ": '"
              + key.name()
              + "' adapts '"
              + target
              + "', which "
              + base.dir()
              + " does not have; the adapter does not fit this base model: set "
              + Properties.CHECKPOINT
              + " to the base model it was trained on"
              + baseHint());
    }
    if (w.shape().length != 2) {
      throw new AdapterException(
          weights()
              + ": '"
              + key.name()
              + "' adapts '"
              + target
              + "' "
              + w.shapeText()
              + ", which is not a 2-D weight; only linear layers can take LoRA");
    }
    return w;
  }

  private void checkShape(TensorInfo t, TensorInfo w, long... shape) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw new AdapterException(
          weights()
              + ": '"
              + t.name()
              + "' is "
              + t.shapeText()
              + " but base weight '"
              + w.name()
              + "' "
              + w.shapeText()
              + " needs "
              + Arrays.toString(shape)
              + "; the adapter was trained on another model: set "
              + Properties.CHECKPOINT
              + " to the base"
              + " model it was trained on"
              + baseHint());
    }
    if (!t.dtype().isExportableFloat()) {
      throw new AdapterException(
          weights()
              + ": '"
              + t.name()
              + "' has dtype "
              + t.dtype()
              + "; adapter weights must be F32, F16 or BF16: save the adapter again");
    }
  }

  /** A base/adapter architecture mismatch: no LoRA module names a base weight. */
  private void checkSomethingMatches(Checkpoint base, Map<String, Module> modules) {
    if (modules.isEmpty()) {
      return;
    }
    for (String m : modules.keySet()) {
      if (base.tensors().containsKey(m + ".weight")) {
        return;
      }
    }
    Module first = modules.values().iterator().next();
    String key = (first.a != null ? first.a : first.b != null ? first.b : first.m).name();
    throw new AdapterException(
        "none of the "
            + modules.size()
            + " modules the adapter "
            + weights()
            + " adapts is a"
            + " weight of "
            + base.dir()
            + " (model_type "
            + base.config().modelType()
            + "): '"
            + key
            + "' adapts '"
            + first.name
            + ".weight'. The adapter was made for another"
            + " architecture: set "
            + Properties.CHECKPOINT
            + " to the base model it was trained on"
            + baseHint());
  }

  private String baseHint() {
    String b =
        layout.isPeft()
            ? config.path("base_model_name_or_path").asText("")
            : config.path("model").asText("");
    return b.isEmpty() ? "" : " (adapter_config.json names '" + b + "')";
  }

  private AdapterException unknownKey(String key, String expected) {
    return new AdapterException(
        weights()
            + ": unknown key '"
            + key
            + "' for a "
            + layout.id()
            + " adapter ("
            + expected
            + "); the folder is not an adapter this tool knows: point "
            + Properties.ADAPTER
            + " at the"
            + " folder your fine-tuning wrote");
  }

  private int cfg(String name, int dflt) {
    return config.path(name).asInt(dflt);
  }

  private static int layerOf(String module) {
    Matcher m = LAYER.matcher(module);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static Set<Integer> intSet(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Set<Integer> s = new HashSet<>();
    if (n.isInt()) {
      s.add(n.asInt());
    } else {
      n.forEach(x -> s.add(x.asInt()));
    }
    return s;
  }

  /** PEFT's target_modules: a regex matched in full, or names matching a module's last parts. */
  private static boolean isTargeted(String module, JsonNode targets) {
    if (targets.isTextual()) {
      String t = targets.asText();
      return t.equals("all-linear") || module.matches(t);
    }
    for (JsonNode n : targets) {
      String t = n.asText();
      if (t.equals("all-linear") || module.equals(t) || module.endsWith("." + t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWithAny(String module, JsonNode keys) {
    for (JsonNode k : keys) {
      if (module.equals(k.asText()) || module.endsWith("." + k.asText())) {
        return true;
      }
    }
    return false;
  }

  /** PEFT's rank_pattern/alpha_pattern: the first key whose regex matches the module's end. */
  private static double pattern(JsonNode patterns, String module, double dflt) {
    if (patterns == null || !patterns.isObject()) {
      return dflt;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = patterns.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (Pattern.compile("(.*\\.)?(" + e.getKey() + ")$").matcher(module).matches()) {
        return e.getValue().asDouble();
      }
    }
    return dflt;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
  }

  /** The tensors of one adapted module. */
  private static final class Module {
    final String name;
    TensorInfo a;
    TensorInfo b;
    TensorInfo m;

    Module(String name) {
      this.name = name;
    }

    void set(String part, TensorInfo t) {
      switch (part) {
        case "A" -> a = t;
        case "B" -> b = t;
        default -> m = t;
      }
    }

    void requireAB(Adapter adapter) {
      if (a == null || b == null) {
        TensorInfo have = a != null ? a : b != null ? b : m;
        throw new AdapterException(
            adapter.weights()
                + ": module '"
                + name
                + "' has '"
                + have.name()
                + "' but not its "
                + (a == null ? "A (down-projection)" : "B (up-projection)")
                + " tensor; the adapter file is incomplete: save the adapter again");
      }
    }

    void requireMagnitude(Adapter adapter, String what) {
      if (m == null) {
        throw new AdapterException(
            adapter.weights()
                + ": module '"
                + name
                + "' has no "
                + what
                + " (the DoRA magnitude)"
                + ", but the adapter is "
                + adapter.layout.id()
                + "; save the adapter again");
      }
    }
  }
}
