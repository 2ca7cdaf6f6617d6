package dev.edgellm.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.util.Json;

/**
 * {@code transformers.js_config.use_external_data_format} as Transformers.js 4.x reads it ({@code
 * resolveExternalDataFormat} in {@code utils/model-loader.js}): {@code false}/{@code true} (0 or 1
 * chunk), a number of chunks, or an object keyed by the full file name ({@code "model_q4.onnx"})
 * or, failing that, the base name ({@code "model"}). For {@code N} chunks it fetches {@code
 * onnx/<file>_data}, {@code onnx/<file>_data_1}, … {@code _data_<N-1>} (at most 100) and hands them
 * to ONNX Runtime under those bare names.
 */
public final class ExternalDataFormat {
  private ExternalDataFormat() {}

  /** The key of the setting inside {@code transformers.js_config}. */
  public static final String KEY = "use_external_data_format";

  /** The base name Transformers.js falls back to for every decoder file ({@code model*.onnx}). */
  public static final String BASE_NAME = "model";

  /**
   * How many chunks Transformers.js fetches for {@code modelFile} ({@code onnx/model.onnx} or a
   * bare name) under {@code tjsConfig}; 0 when none.
   */
  public static int chunks(JsonNode tjsConfig, String modelFile) {
    String name = modelFile.substring(modelFile.lastIndexOf('/') + 1);
    JsonNode v = tjsConfig == null ? null : tjsConfig.get(KEY);
    if (v != null && v.isObject()) {
      v = v.has(name) ? v.get(name) : v.get(BASE_NAME);
    }
    if (v == null || v.isNull()) {
      return 0;
    }
    if (v.isBoolean()) {
      return v.asBoolean() ? 1 : 0;
    }
    if (v.isNumber() || v.isTextual()) {
      return v.asInt(0);
    }
    return 0;
  }

  /**
   * Declares {@code chunks} chunks of {@code modelFile} in {@code tjsConfig}, keyed by its file
   * name ({@code {"model.onnx": 2}}), keeping other files' entries; with none, removes the file's
   * entry (and the key when nothing is left), so that a checkpoint's own setting cannot make the
   * browser fetch files that do not exist.
   */
  public static void declare(ObjectNode tjsConfig, String modelFile, int chunks) {
    String name = modelFile.substring(modelFile.lastIndexOf('/') + 1);
    JsonNode current = tjsConfig.get(KEY);
    ObjectNode perFile =
        current != null && current.isObject()
            ? (ObjectNode) current
            : Json.MAPPER.createObjectNode();
    perFile.remove(name);
    if (chunks > 0) {
      perFile.put(name, chunks);
    } else if (perFile.has(BASE_NAME)) {
      perFile.put(name, 0); // shadows the setting for every model*.onnx
    }
    if (perFile.isEmpty()) {
      tjsConfig.remove(KEY);
    } else {
      tjsConfig.set(KEY, perFile);
    }
  }
}
