package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code config.json} in the transformers v4 or v5 format into a {@link ModelConfig}. */
public final class ConfigReader {
  private static final ObjectMapper JSON = Json.MAPPER;

  private ConfigReader() {}

  /** Reads {@code dir/config.json}. */
  public static ModelConfig read(Path dir) {
    return read(dir, Integer.MAX_VALUE, null);
  }

  /**
   * Reads {@code dir/config.json} of a checkpoint whose safetensors hold {@code storedLayers}
   * layers (described by {@code stored}, for the message): a {@code num_hidden_layers} over it is
   * refused before anything is sized by it.
   */
  public static ModelConfig read(Path dir, int storedLayers, String stored) {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(
          "config.json missing in "
              + dir
              + "; point edgellm.checkpoint at a folder saved by save_pretrained, mlx_lm fuse or a Hub download (it holds config.json and model.safetensors)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(
          file + " is not valid JSON: " + e.getMessage() + "; fix or re-download it");
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file + " is not a JSON object; fix or re-download it");
    }
    return parse(file, root, storedLayers, stored);
  }

  static ModelConfig parse(Path file, JsonNode c) {
    return parse(file, c, Integer.MAX_VALUE, null);
  }

  static ModelConfig parse(Path file, JsonNode c, int storedLayers, String stored) {
    String modelType = text(c, "model_type");
    if (modelType == null) {
      throw new CheckpointException(
          file + ": 'model_type' missing; add it (e.g. \"llama\") to config.json");
    }
    int hidden = requiredInt(file, c, "hidden_size");
    int layers = requiredInt(file, c, "num_hidden_layers");
    if (layers > storedLayers) {
      throw new CheckpointException(
          file
              + ": num_hidden_layers is "
              + layers
              + " but the safetensors hold "
              + stored
              + "; the checkpoint does not match its config.json: use the config saved with these weights");
    }
    int heads = requiredInt(file, c, "num_attention_heads");
    int kvHeads = optInt(c, "num_key_value_heads", heads);
    int headDim = optInt(c, "head_dim", heads > 0 ? hidden / heads : 0);
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new CheckpointException(
          file
              + ": head_dim is "
              + headDim
              + (c.hasNonNull("head_dim") ? "" : " (hidden_size / num_attention_heads)")
              + "; it must be a positive even number (rotary embeddings pair the dimensions):"
              + " fix head_dim in config.json");
    }
    int inter = requiredInt(file, c, "intermediate_size");
    int vocab = requiredInt(file, c, "vocab_size");
    if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
      throw new CheckpointException(
          file
              + ": num_attention_heads "
              + heads
              + " must be a positive multiple of num_key_value_heads "
              + kvHeads
              + "; fix config.json");
    }
    double eps = c.path("rms_norm_eps").asDouble(1e-6);
    if (!(eps >= 0 && eps < 1)) {
      throw new CheckpointException(
          file
              + ": rms_norm_eps is "
              + eps
              + "; it must be in [0, 1) (e.g. 1e-6): fix config.json");
    }
    boolean tie = c.path("tie_word_embeddings").asBoolean(true);
    int maxPos = optInt(c, "max_position_embeddings", 4096);

    Integer window = c.hasNonNull("sliding_window") ? c.get("sliding_window").asInt() : null;
    List<String> layerTypes = layerTypes(file, c, layers, window);
    boolean anySliding = layerTypes.contains(ModelConfig.SLIDING);
    if (anySliding && (window == null || window <= 0)) {
      throw new CheckpointException(
          file
              + ": some layers are sliding_attention but 'sliding_window' is not set; set it in config.json");
    }

    Map<String, RopeParameters> rope = rope(file, c);
    String dtype = text(c, "dtype") != null ? text(c, "dtype") : text(c, "torch_dtype");
    String act =
        text(c, "hidden_activation") != null ? text(c, "hidden_activation") : text(c, "hidden_act");
    return new ModelConfig(
        file,
        modelType,
        hidden,
        inter,
        layers,
        heads,
        kvHeads,
        headDim,
        vocab,
        eps,
        tie,
        maxPos,
        layerTypes,
        anySliding ? window : 0,
        rope,
        positiveOrNull(file, c, "query_pre_attn_scalar"),
        positiveOrNull(file, c, "attn_logit_softcapping"),
        positiveOrNull(file, c, "final_logit_softcapping"),
        act,
        c.path("attention_bias").asBoolean(false),
        c.path("mlp_bias").asBoolean(false),
        dtype);
  }

  private static List<String> layerTypes(Path file, JsonNode c, int layers, Integer window) {
    List<String> types = new ArrayList<>();
    if (c.path("layer_types").isArray()) {
      for (JsonNode t : c.get("layer_types")) {
        String s = t.asText();
        if (!s.equals(ModelConfig.FULL) && !s.equals(ModelConfig.SLIDING)) {
          throw new CheckpointException(
              file
                  + ": layer_types has '"
                  + s
                  + "'; supported are full_attention and sliding_attention");
        }
        types.add(s);
      }
      if (types.size() != layers) {
        throw new CheckpointException(
            file
                + ": layer_types has "
                + types.size()
                + " entries but num_hidden_layers is "
                + layers
                + "; make them agree");
      }
      return types;
    }
    JsonNode pattern =
        c.has("sliding_window_pattern")
            ? c.get("sliding_window_pattern")
            : c.get("_sliding_window_pattern");
    boolean useSliding = c.path("use_sliding_window").asBoolean(true);
    for (int i = 0; i < layers; i++) {
      String t = ModelConfig.FULL;
      if (window != null && useSliding) {
        if (pattern != null && pattern.isInt()) {
          if (pattern.asInt() < 1) {
            throw new CheckpointException(
                file
                    + ": sliding_window_pattern is "
                    + pattern.asInt()
                    + "; it must be at least 1 (every Nth layer is full attention): fix it in"
                    + " config.json");
          }
          t = (i + 1) % pattern.asInt() != 0 ? ModelConfig.SLIDING : ModelConfig.FULL;
        } else if (c.has("max_window_layers")) {
          t = i >= c.get("max_window_layers").asInt() ? ModelConfig.SLIDING : ModelConfig.FULL;
        } else {
          t = ModelConfig.SLIDING;
        }
      }
      types.add(t);
    }
    return types;
  }

  private static Map<String, RopeParameters> rope(Path file, JsonNode c) {
    Map<String, RopeParameters> out = new LinkedHashMap<>();
    JsonNode rp = c.get("rope_parameters");
    if (rp != null && rp.isObject()) {
      if (rp.has(ModelConfig.FULL) || rp.has(ModelConfig.SLIDING)) {
        for (String type : List.of(ModelConfig.FULL, ModelConfig.SLIDING)) {
          if (rp.has(type)) {
            out.put(type, ropeOf(file, "rope_parameters." + type, rp.get(type), 10000.0));
          }
        }
        out.putIfAbsent(ModelConfig.FULL, out.get(ModelConfig.SLIDING));
        out.putIfAbsent(ModelConfig.SLIDING, out.get(ModelConfig.FULL));
      } else {
        RopeParameters p = ropeOf(file, "rope_parameters", rp, 10000.0);
        out.put(ModelConfig.FULL, p);
        out.put(ModelConfig.SLIDING, p);
      }
      return out;
    }
    double theta = positive(file, "rope_theta", c.path("rope_theta").asDouble(10000.0));
    JsonNode scaling = c.get("rope_scaling");
    RopeParameters full =
        scaling != null && scaling.isObject()
            ? ropeOf(file, "rope_scaling", scaling, theta)
            : RopeParameters.defaults(theta);
    out.put(ModelConfig.FULL, full);
    if (c.has("rope_local_base_freq")) {
      out.put(
          ModelConfig.SLIDING,
          RopeParameters.defaults(
              positive(file, "rope_local_base_freq", c.get("rope_local_base_freq").asDouble())));
    } else {
      out.put(ModelConfig.SLIDING, full);
    }
    return out;
  }

  private static RopeParameters ropeOf(Path file, String where, JsonNode n, double defaultTheta) {
    String type = text(n, "rope_type") != null ? text(n, "rope_type") : text(n, "type");
    if (type == null) {
      type = "default";
    }
    double theta =
        positive(
            file,
            where + ".rope_theta",
            n.has("rope_theta") ? n.get("rope_theta").asDouble() : defaultTheta);
    switch (type) {
      case "default":
        return RopeParameters.defaults(theta);
      case "linear":
        return new RopeParameters(
            "linear",
            theta,
            positive(file, where + ".factor", n.path("factor").asDouble(1.0)),
            0,
            0,
            0);
      case "llama3":
        for (String k :
            List.of(
                "factor",
                "low_freq_factor",
                "high_freq_factor",
                "original_max_position_embeddings")) {
          if (!n.hasNonNull(k)) {
            throw new CheckpointException(
                file + ": " + where + " is llama3 but has no '" + k + "'; add it to config.json");
          }
        }
        double low =
            positive(file, where + ".low_freq_factor", n.get("low_freq_factor").asDouble());
        double high =
            positive(file, where + ".high_freq_factor", n.get("high_freq_factor").asDouble());
        if (!(high > low)) {
          throw new CheckpointException(
              file
                  + ": "
                  + where
                  + ".high_freq_factor "
                  + high
                  + " must be greater than low_freq_factor "
                  + low
                  + " (llama3 rope divides by their difference): fix config.json");
        }
        return new RopeParameters(
            "llama3",
            theta,
            positive(file, where + ".factor", n.get("factor").asDouble()),
            low,
            high,
            positive(
                file,
                where + ".original_max_position_embeddings",
                n.get("original_max_position_embeddings").asDouble()));
      default:
        throw new CheckpointException(
            file
                + ": "
                + where
                + " has rope type '"
                + type
                + "'; supported rope types are default, linear and llama3");
    }
  }

  /**
   * {@code value} when it is a finite number above zero; otherwise an error naming {@code key} (a
   * zero or negative rope_theta or scaling factor would put NaN or Inf into the graph).
   */
  private static double positive(Path file, String key, double value) {
    if (!(value > 0 && Double.isFinite(value))) {
      throw new CheckpointException(
          file
              + ": "
              + key
              + " is "
              + value
              + "; it must be a finite number above 0: fix config.json (or copy it from the base model)");
    }
    return value;
  }

  private static Double positiveOrNull(Path file, JsonNode c, String key) {
    Double v = optDouble(c, key);
    return v == null ? null : positive(file, key, v);
  }

  private static String text(JsonNode c, String key) {
    JsonNode n = c.get(key);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static int requiredInt(Path file, JsonNode c, String key) {
    JsonNode n = c.get(key);
    if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
      throw new CheckpointException(
          file + ": '" + key + "' missing or not a positive integer; set it in config.json");
    }
    return n.asInt();
  }

  private static int optInt(JsonNode c, String key, int dflt) {
    JsonNode n = c.get(key);
    return n == null || n.isNull() ? dflt : n.asInt();
  }

  private static Double optDouble(JsonNode c, String key) {
    JsonNode n = c.get(key);
    return n == null || n.isNull() ? null : n.asDouble();
  }
}
