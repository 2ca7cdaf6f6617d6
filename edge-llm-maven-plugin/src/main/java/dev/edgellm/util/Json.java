package dev.edgellm.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON reading and writing with the same settings everywhere: numbers keep their exact digits
 * (floats as {@code BigDecimal}), output is indented by two spaces with {@code \n} line ends on
 * every platform, so the same input gives byte-identical files.
 */
public final class Json {
  private Json() {}

  /** The shared mapper: exact numbers, key order preserved. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  /**
   * Reads a JSON file; throws {@link JsonProcessingException} (an IOException) when it is not valid
   * JSON.
   */
  public static JsonNode read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return MAPPER.readTree(bytes);
    } catch (java.io.CharConversionException | NumberFormatException e) {
      // bytes in no encoding JSON allows (Jackson says so in a plain IOException), or a number
      // BigDecimal refuses (e.g. 6e666...6): the same "not valid JSON" as any other parse error
      // (both found by fuzzing)
      throw new com.fasterxml.jackson.core.JsonParseException(
          (com.fasterxml.jackson.core.JsonParser) null,
          "not valid JSON text (" + e.getMessage() + ")");
    }
  }

  /** Reads a JSON file that must hold an object. */
  public static ObjectNode readObject(Path file) throws IOException {
    JsonNode node = read(file);
    if (node == null || !node.isObject()) {
      throw new JsonProcessingException(file.getFileName() + " does not hold a JSON object") {};
    }
    return (ObjectNode) node;
  }

  /** Pretty-printed text with a final newline. */
  public static String pretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
