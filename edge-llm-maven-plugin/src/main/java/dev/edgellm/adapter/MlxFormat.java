package dev.edgellm.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.maven.Properties;
import java.nio.file.Path;
import java.util.Locale;

/**
 * mlx_lm {@code lora} and {@code dora} ({@code adapters.safetensors}): keys {@code <module>.lora_a}
 * [in, r], {@code <module>.lora_b} [r, out] and, for dora, {@code <module>.m} [out]; {@code W' = W
 * + (scale·lora_bᵀ)·lora_aᵀ} with {@code lora_parameters.scale}, on the last {@code num_layers}
 * layers and the modules {@code lora_parameters.keys} names.
 */
final class MlxFormat implements LoraFormat {
  private final Adapter adapter;
  private final BaseMatch match;
  private final Path cfgFile;
  private final double scale;
  private final int configRank;
  private final int layers;
  private final int numLayers;
  private final JsonNode keys;

  MlxFormat(Adapter adapter, BaseMatch match, Checkpoint base) {
    this.adapter = adapter;
    this.match = match;
    this.cfgFile = adapter.configFile();
    JsonNode lp = adapter.config().get("lora_parameters");
    if (lp == null || !lp.isObject() || !lp.has("scale")) {
      throw new AdapterException(
          cfgFile
              + " has no lora_parameters {rank, scale}; use the adapter_config.json that"
              + " mlx_lm lora wrote with these adapters");
    }
    this.scale = lp.get("scale").asDouble();
    this.configRank = lp.path("rank").asInt(-1);
    this.layers = base.config().numLayers();
    this.numLayers = adapter.config().path("num_layers").asInt(-1);
    this.keys = lp.get("keys");
  }

  @Override
  public Key parse(TensorInfo t) {
    String key = t.name();
    for (String suffix : new String[] {".lora_a", ".lora_b", ".m"}) {
      if (key.endsWith(suffix)) {
        LoraModule.Part part =
            suffix.equals(".lora_a")
                ? LoraModule.Part.A
                : suffix.equals(".lora_b") ? LoraModule.Part.B : LoraModule.Part.MAGNITUDE;
        if (part == LoraModule.Part.MAGNITUDE && adapter.layout() != AdapterLayout.MLX_DORA) {
          throw match.unknownKey(
              key, "a magnitude '.m' belongs to a dora adapter but fine_tune_type is lora");
        }
        return Key.part(key.substring(0, key.length() - suffix.length()), part);
      }
    }
    throw match.unknownKey(
        key, "mlx_lm " + adapter.layout().id() + " keys end in .lora_a, .lora_b (and .m for dora)");
  }

  @Override
  public int rank(LoraModule m) {
    int layer = Adapter.layerOf(m.name);
    if (numLayers >= 0 && layer >= 0 && layer < layers - numLayers) {
      throw new AdapterException(
          adapter.weights()
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
          adapter.weights()
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
          adapter.weights()
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
    return rank;
  }

  @Override
  public double scale(LoraModule m, int rank) {
    return scale;
  }

  @Override
  public boolean transposed() {
    return true;
  }

  @Override
  public String magnitude() {
    return adapter.layout() == AdapterLayout.MLX_DORA ? "m" : null;
  }

  @Override
  public String summary(int modules) {
    return String.format(
        Locale.ROOT, "rank %d, scale %s, %d weights", configRank, LoraFormat.num(scale), modules);
  }

  private static boolean endsWithAny(String module, JsonNode keys) {
    for (JsonNode k : keys) {
      if (module.equals(k.asText()) || module.endsWith("." + k.asText())) {
        return true;
      }
    }
    return false;
  }
}
