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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fine-tuning adapter folder ({@code edgellm.adapter}) merged into a base checkpoint while its
 * weights stream: each adapted weight is shown as a float32 tensor computed when the export reads
 * it ({@link LowRankMerge}: row by row as a q4 export quantizes it, whole for an fp32 export), so
 * fp32 and q4 exports both see the same merged weights and a q4 export stays byte-identical to an
 * fp32 export then quantized. {@link PeftFormat} and {@link MlxFormat} read the layouts' keys and
 * configs, {@link BaseMatch} matches the keys to the base's weights, {@link LoraMerge} merges.
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
      BaseMatch match =
          new BaseMatch(
              base,
              weights(),
              layout,
              config.path(layout.isPeft() ? "base_model_name_or_path" : "model").asText(""));
      String summary =
          switch (layout) {
            case PEFT_LORA, PEFT_DORA ->
                LoraMerge.apply(new PeftFormat(this, match, log), this, base, file, overlay, match);
            case MLX_LORA, MLX_DORA ->
                LoraMerge.apply(new MlxFormat(this, match, base), this, base, file, overlay, match);
            case MLX_FULL -> {
              for (TensorInfo t : file.tensors().values()) {
                overlay.replace(match.replacement(t, t.name(), t.name()), file);
              }
              yield file.tensors().size() + " weights replaced";
            }
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

  JsonNode config() {
    return config;
  }

  Path configFile() {
    return dir.resolve(CONFIG);
  }

  /** The layer index in a module's name ({@code ...layers.N....}), or -1. */
  static int layerOf(String module) {
    Matcher m = LAYER.matcher(module);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
