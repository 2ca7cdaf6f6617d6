package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgellm.maven.Properties;
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
              + "; point "
              + Properties.CHECKPOINT
              + " at a folder saved by save_pretrained, mlx_lm fuse or a Hub download (it holds config.json and model.safetensors)");
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
    int window = c.hasNonNull("sliding_window") ? c.get("sliding_window").asInt() : 0;
    List<String> layerTypes = layerTypes(file, c, layers);
    Map<String, RopeParameters> rope = rope(file, c, maxPos);
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
        window,
        rope,
        act,
        c.path("attention_bias").asBoolean(false),
        c.path("mlp_bias").asBoolean(false),
        dtype,
        c);
  }

  /** {@code layer_types} as written, checked; empty when absent (the architecture decides). */
  private static List<String> layerTypes(Path file, JsonNode c, int layers) {
    List<String> types = new ArrayList<>();
    if (!c.path("layer_types").isArray()) {
      return types;
    }
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

  private static Map<String, RopeParameters> rope(Path file, JsonNode c, int maxPos) {
    Map<String, RopeParameters> out = new LinkedHashMap<>();
    JsonNode rp = c.get("rope_parameters");
    if (rp != null && rp.isObject()) {
      if (rp.has(ModelConfig.FULL) || rp.has(ModelConfig.SLIDING)) {
        for (String type : List.of(ModelConfig.FULL, ModelConfig.SLIDING)) {
          if (rp.has(type)) {
            out.put(
                type, ropeOf(file, c, "rope_parameters." + type, rp.get(type), 10000.0, maxPos));
          }
        }
        out.putIfAbsent(ModelConfig.FULL, out.get(ModelConfig.SLIDING));
      } else {
        out.put(ModelConfig.FULL, ropeOf(file, c, "rope_parameters", rp, 10000.0, maxPos));
      }
      return out;
    }
    double theta = positive(file, "rope_theta", c.path("rope_theta").asDouble(10000.0));
    JsonNode scaling = c.get("rope_scaling");
    out.put(
        ModelConfig.FULL,
        scaling != null && scaling.isObject()
            ? ropeOf(file, c, "rope_scaling", scaling, theta, maxPos)
            : RopeParameters.defaults(theta)
                .withPartialRotaryFactor(c.path("partial_rotary_factor").asDouble(1.0)));
    return out;
  }

  private static RopeParameters ropeOf(
      Path file, JsonNode c, String where, JsonNode n, double defaultTheta, int maxPos) {
    String type = text(n, "rope_type") != null ? text(n, "rope_type") : text(n, "type");
    if (type == null) {
      type = "default";
    }
    double theta =
        positive(
            file,
            where + ".rope_theta",
            n.has("rope_theta") ? n.get("rope_theta").asDouble() : defaultTheta);
    double partial =
        n.hasNonNull("partial_rotary_factor")
            ? n.get("partial_rotary_factor").asDouble()
            : c.path("partial_rotary_factor").asDouble(1.0);
    switch (type) {
      case "default":
        return RopeParameters.defaults(theta).withPartialRotaryFactor(partial);
      case "linear":
        return new RopeParameters(
            "linear",
            theta,
            positive(file, where + ".factor", n.path("factor").asDouble(1.0)),
            0,
            0,
            0,
            List.of(),
            List.of(),
            0,
            partial);
      case "llama3":
        {
          require(
              file,
              where,
              n,
              type,
              "factor",
              "low_freq_factor",
              "high_freq_factor",
              "original_max_position_embeddings");
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
                  n.get("original_max_position_embeddings").asDouble()),
              List.of(),
              List.of(),
              0,
              partial);
        }
      case "longrope":
        {
          require(file, where, n, type, "short_factor", "long_factor");
          // transformers: a top-level original_max_position_embeddings sets the factor
          // to max_position_embeddings / original; else rope's own factor and original length.
          double original;
          double factor;
          if (c.hasNonNull("original_max_position_embeddings")) {
            original =
                positive(
                    file,
                    "original_max_position_embeddings",
                    c.get("original_max_position_embeddings").asDouble());
            factor = maxPos / original;
          } else {
            original =
                positive(
                    file,
                    where + ".original_max_position_embeddings",
                    n.path("original_max_position_embeddings").asDouble(maxPos));
            factor = positive(file, where + ".factor", n.path("factor").asDouble(1.0));
          }
          return new RopeParameters(
              "longrope",
              theta,
              factor,
              0,
              0,
              original,
              doubles(file, where + ".short_factor", n.get("short_factor")),
              doubles(file, where + ".long_factor", n.get("long_factor")),
              n.path("attention_factor").asDouble(0),
              partial);
        }
      default:
        throw new CheckpointException(
            file
                + ": "
                + where
                + " has rope type '"
                + type
                + "'; supported rope types are default, linear, llama3 and longrope");
    }
  }

  private static void require(Path file, String where, JsonNode n, String type, String... keys) {
    for (String k : keys) {
      if (!n.hasNonNull(k)) {
        throw new CheckpointException(
            file + ": " + where + " is " + type + " but has no '" + k + "'; add it to config.json");
      }
    }
  }

  private static List<Double> doubles(Path file, String where, JsonNode n) {
    List<Double> out = new ArrayList<>();
    if (!n.isArray()) {
      throw new CheckpointException(file + ": " + where + " is not a list of numbers");
    }
    for (JsonNode v : n) {
      if (!v.isNumber()) {
        throw new CheckpointException(file + ": " + where + " holds '" + v + "', not a number");
      }
      out.add(v.asDouble());
    }
    return out;
  }

  /**
   * {@code value} when it is a finite number above zero; otherwise an error naming {@code key} (a
   * zero or negative rope_theta or scaling factor would put NaN or Inf into the graph).
   */
  static double positive(Path file, String key, double value) {
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
}
