package dev.edgellm.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON reading and writing with the same settings everywhere: numbers keep their exact digits
 * (floats as {@code BigDecimal}), output is indented by two spaces with {@code \n} line ends on
 * every platform, so the same input gives byte-identical files.
 */
public final class Json {
  private Json() {}

  /**
   * The shared mapper: exact numbers, key order preserved. A number that {@code BigDecimal} or
   * {@code BigInteger} refuses (e.g. {@code 6e666...6}, an exponent over 2^31) is a {@link
   * JsonParseException} like any other invalid JSON, whichever way the text is read: Jackson throws
   * a plain {@code NumberFormatException} for it (found by fuzzing).
   */
  public static final ObjectMapper MAPPER =
      new ObjectMapper(new CheckedNumbersFactory())
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
    } catch (java.io.CharConversionException e) {
      // bytes in no encoding JSON allows (Jackson says so in a plain IOException): the same "not
      // valid JSON" as any other parse error (found by fuzzing)
      throw new JsonParseException(
          (JsonParser) null, "not valid JSON text (" + e.getMessage() + ")");
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

  /** Jackson's factory whose parsers turn a refused number into a parse error. */
  private static final class CheckedNumbersFactory extends JsonFactory {
    private static final long serialVersionUID = 1L;

    @Override
    protected JsonParser _createParser(InputStream in, IOContext ctxt) throws IOException {
      return new CheckedNumbers(super._createParser(in, ctxt));
    }

    @Override
    protected JsonParser _createParser(Reader r, IOContext ctxt) throws IOException {
      return new CheckedNumbers(super._createParser(r, ctxt));
    }

    @Override
    protected JsonParser _createParser(
        char[] data, int offset, int len, IOContext ctxt, boolean recyclable) throws IOException {
      return new CheckedNumbers(super._createParser(data, offset, len, ctxt, recyclable));
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt)
        throws IOException {
      return new CheckedNumbers(super._createParser(data, offset, len, ctxt));
    }

    @Override
    protected JsonParser _createParser(DataInput input, IOContext ctxt) throws IOException {
      return new CheckedNumbers(super._createParser(input, ctxt));
    }
  }

  /** A parser whose number getters throw {@link JsonParseException} for refused numbers. */
  private static final class CheckedNumbers extends JsonParserDelegate {
    CheckedNumbers(JsonParser p) {
      super(p);
    }

    private JsonParseException refused(RuntimeException e) {
      return new JsonParseException(
          this, "not a number this reader can hold (" + e.getMessage() + ")", e);
    }

    @Override
    public BigDecimal getDecimalValue() throws IOException {
      try {
        return super.getDecimalValue();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }

    @Override
    public BigInteger getBigIntegerValue() throws IOException {
      try {
        return super.getBigIntegerValue();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }

    @Override
    public Number getNumberValue() throws IOException {
      try {
        return super.getNumberValue();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }

    @Override
    public Number getNumberValueExact() throws IOException {
      try {
        return super.getNumberValueExact();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }

    @Override
    public Object getNumberValueDeferred() throws IOException {
      try {
        return super.getNumberValueDeferred();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }

    @Override
    public double getDoubleValue() throws IOException {
      try {
        return super.getDoubleValue();
      } catch (NumberFormatException | ArithmeticException e) {
        throw refused(e);
      }
    }
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
