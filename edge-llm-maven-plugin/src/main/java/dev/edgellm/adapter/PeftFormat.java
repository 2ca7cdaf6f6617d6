package dev.edgellm.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.util.Reporter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * PEFT LoRA and DoRA ({@code adapter_model.safetensors}): keys {@code base_model.model.<module>.
 * lora_A.weight} [r, in], {@code lora_B.weight} [out, r], {@code lora_magnitude_vector} [out];
 * {@code W' = W + scale·B·A}, {@code scale = lora_alpha/r} ({@code lora_alpha/√r} with {@code
 * use_rslora}); {@code rank_pattern}/{@code alpha_pattern}, {@code target_modules} and {@code
 * layers_to_transform} are honoured; {@code modules_to_save} weights replace the base's.
 */
final class PeftFormat implements LoraFormat {
  private static final String PREFIX = "base_model.model.";
  private static final String[] SUFFIXES = {
    ".lora_A.weight", ".lora_B.weight", ".lora_magnitude_vector.weight", ".lora_magnitude_vector"
  };

  private final Adapter adapter;
  private final BaseMatch match;
  private final JsonNode config;
  private final Path cfgFile;
  private final int r;
  private final double alpha;
  private final boolean rslora;
  private final Set<Integer> layers;
  private final JsonNode targets;

  PeftFormat(Adapter adapter, BaseMatch match, Reporter log) {
    this.adapter = adapter;
    this.match = match;
    this.config = adapter.config();
    this.cfgFile = adapter.configFile();
    this.r = config.path("r").asInt(8);
    this.alpha = config.path("lora_alpha").asDouble(8);
    this.rslora = config.path("use_rslora").asBoolean(false);
    if (config.path("fan_in_fan_out").asBoolean(false)) {
      // PEFT does the same for torch.nn.Linear targets (every architecture export supports).
      log.warn(
          "adapter: "
              + cfgFile
              + " sets fan_in_fan_out, which PEFT ignores for nn.Linear layers (it is for GPT-2's"
              + " Conv1D); merged as W + scale·B·A like PEFT's merge_and_unload");
    }
    this.layers = intSet(config.get("layers_to_transform"));
    this.targets = config.get("target_modules");
  }

  @Override
  public Key parse(TensorInfo t) {
    String key = t.name();
    if (!key.startsWith(PREFIX)) {
      throw match.unknownKey(key, "PEFT keys start with '" + PREFIX + "'");
    }
    String rest = key.substring(PREFIX.length());
    if (rest.contains("lora_embedding_")) {
      throw new AdapterException(
          adapter.weights()
              + ": '"
              + key
              + "' is LoRA on an embedding, which this tool does not merge; train without the"
              + " embedding in target_modules, or merge with PEFT's merge_and_unload and export"
              + " the fused checkpoint");
    }
    for (String suffix : SUFFIXES) {
      if (rest.endsWith(suffix)) {
        LoraModule.Part part =
            suffix.startsWith(".lora_A")
                ? LoraModule.Part.A
                : suffix.startsWith(".lora_B") ? LoraModule.Part.B : LoraModule.Part.MAGNITUDE;
        return Key.part(rest.substring(0, rest.length() - suffix.length()), part);
      }
    }
    if (rest.contains(".lora_")) {
      throw match.unknownKey(
          key, "known LoRA keys end in lora_A.weight, lora_B.weight or lora_magnitude_vector");
    }
    // modules_to_save: a whole weight that replaces the base's
    return Key.replacing(rest.replace(".modules_to_save.", "."));
  }

  @Override
  public int rank(LoraModule m) {
    if (layers != null) {
      int layer = Adapter.layerOf(m.name);
      if (layer >= 0 && !layers.contains(layer)) {
        throw new AdapterException(
            adapter.weights()
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
          adapter.weights()
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
    int moduleR = (int) pattern(config.get("rank_pattern"), m.name, r, "rank_pattern");
    if (rank != moduleR) {
      throw new AdapterException(
          adapter.weights()
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
    return rank;
  }

  @Override
  public double scale(LoraModule m, int rank) {
    double moduleAlpha = pattern(config.get("alpha_pattern"), m.name, alpha, "alpha_pattern");
    return rslora ? moduleAlpha / Math.sqrt(rank) : moduleAlpha / rank;
  }

  @Override
  public boolean transposed() {
    return false;
  }

  @Override
  public String magnitude() {
    return adapter.layout() == AdapterLayout.PEFT_DORA ? "lora_magnitude_vector" : null;
  }

  @Override
  public String summary(int modules) {
    return String.format(
        Locale.ROOT,
        "r=%d, lora_alpha=%s, scale %s%s, %d weights",
        r,
        LoraFormat.num(alpha),
        LoraFormat.num(rslora ? alpha / Math.sqrt(r) : alpha / r),
        rslora ? " (rsLoRA)" : "",
        modules);
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
  private boolean isTargeted(String module, JsonNode targets) {
    if (targets.isTextual()) {
      String t = targets.asText();
      return t.equals("all-linear") || matches(t, t, module, "target_modules");
    }
    for (JsonNode n : targets) {
      String t = n.asText();
      if (t.equals("all-linear") || module.equals(t) || module.endsWith("." + t)) {
        return true;
      }
    }
    return false;
  }

  /** PEFT's rank_pattern/alpha_pattern: the first key whose regex matches the module's end. */
  private double pattern(JsonNode patterns, String module, double dflt, String key) {
    if (patterns == null || !patterns.isObject()) {
      return dflt;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = patterns.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (matches("(.*\\.)?(" + e.getKey() + ")$", e.getKey(), module, key)) {
        return e.getValue().asDouble();
      }
    }
    return dflt;
  }

  /** Steps a regex of the config may take on one module name (a name is under 200 chars). */
  private static final int MAX_REGEX_STEPS = 1_000_000;

  /**
   * Whether {@code module} matches {@code regex} in full, built from the config's {@code written}
   * under {@code key}: an invalid regex, or one that backtracks without end (a hostile config could
   * otherwise hang the build), is an {@link AdapterException} naming the key.
   */
  private boolean matches(String regex, String written, String module, String key) {
    Pattern p;
    try {
      p = Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new AdapterException(
          cfgFile
              + ": "
              + key
              + " '"
              + written
              + "' is not a valid regular expression ("
              + e.getDescription()
              + "); write the module names as a list, or fix the expression");
    }
    int[] steps = {0};
    CharSequence counted =
        new CharSequence() {
          @Override
          public int length() {
            return module.length();
          }

          @Override
          public char charAt(int index) {
            if (++steps[0] > MAX_REGEX_STEPS) {
              throw new AdapterException(
                  cfgFile
                      + ": "
                      + key
                      + " '"
                      + written
                      + "' takes over "
                      + MAX_REGEX_STEPS
                      + " steps to match the module name "
                      + module
                      + " (it backtracks without end); write the module names as a list");
            }
            return module.charAt(index);
          }

          @Override
          public CharSequence subSequence(int start, int end) {
            return module.subSequence(start, end);
          }

          @Override
          public String toString() {
            return module;
          }
        };
    return p.matcher(counted).matches();
  }
}
