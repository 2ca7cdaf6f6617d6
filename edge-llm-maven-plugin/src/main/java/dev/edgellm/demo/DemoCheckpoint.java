package dev.edgellm.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.core.util.Separators.Spacing;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes the demo checkpoint: a tiny Gemma 3 text model with seeded random weights, laid out
 * exactly as a Hugging Face checkpoint on disk ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json}, {@code
 * generation_config.json}), so that a generated app builds and runs with no checkpoint configured.
 *
 * <p>The weights are random: the model "speaks" gibberish. {@code config.json} carries {@code
 * "edge_llm_demo": true} so every later stage (and the web app) can say so. The same call always
 * writes byte-identical files.
 *
 * <p>Shape: hidden 64, 4 layers alternating sliding (window 16) and full attention, 4 query heads,
 * 1 KV head, head_dim 16, tied embeddings, bf16 weights. Vocabulary: a byte-level BPE of 6 special
 * tokens, the 256 bytes and {@link #MERGES} common English pairs. The embedding rows of control
 * bytes, non-ASCII bytes and special tokens are scaled down, so that greedy decoding emits
 * printable ASCII and never ends a reply early: the demo always streams a full reply of readable
 * characters.
 */
public final class DemoCheckpoint {
  private DemoCheckpoint() {}

  /** Key set to {@code true} in the demo's {@code config.json}. */
  public static final String DEMO_FLAG = "edge_llm_demo";

  /**
   * Where a build puts the demo, relative to its build directory ({@code target/}): every goal that
   * finds no checkpoint configured writes it there (cheap, and byte-identical each time) and uses
   * it.
   */
  public static final String BUILD_SUBDIRECTORY = "edge-llm/demo-checkpoint";

  /** The files {@link #write(Path)} creates, in the order it writes them. */
  public static final List<String> FILES =
      List.of(
          "model.safetensors",
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  static final long SEED = 3L;
  static final int HIDDEN = 64;
  static final int INTERMEDIATE = 128;
  static final int LAYERS = 4;
  static final int HEADS = 4;
  static final int KV_HEADS = 1;
  static final int HEAD_DIM = 16;
  static final int SLIDING_WINDOW = 16;

  /** Standard deviation of a printable token's embedding row. */
  static final double EMBED_STD = 0.25;

  /** Standard deviation of the rows of special tokens, control and non-ASCII bytes. */
  static final double QUIET_EMBED_STD = 0.005;

  /** Standard deviation of a norm weight around 0 (Gemma norms scale by 1 + weight). */
  static final double NORM_STD = 0.1;

  static final String[] SPECIALS = {
    "<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"
  };
  static final int PAD = 0;
  static final int EOS = 1;
  static final int BOS = 2;
  static final int END_OF_TURN = 5;

  /** BPE merges on top of the bytes, in priority order; {@code Ġ} is the byte-level space. */
  static final String[][] MERGES = {
    {"Ġ", "t"}, {"h", "e"}, {"Ġ", "a"}, {"i", "n"}, {"e", "r"}, {"o", "n"}, {"r", "e"},
    {"Ġt", "he"}, {"a", "n"}, {"e", "n"}, {"Ġ", "s"}, {"Ġ", "w"}, {"o", "u"}, {"a", "t"},
    {"Ġ", "o"}, {"i", "s"}, {"Ġ", "i"}, {"o", "r"}, {"e", "s"}, {"Ġ", "c"}, {"n", "d"},
    {"Ġ", "b"}, {"Ġ", "m"}, {"Ġ", "f"}, {"i", "t"}, {"a", "r"}, {"l", "l"}, {"e", "d"},
    {"in", "g"}, {"Ġ", "h"}, {"Ġ", "d"}, {"Ġ", "p"}, {"a", "l"}, {"l", "e"}, {"Ġ", "I"},
    {"Ġ", "y"}, {"Ġy", "ou"}, {"Ġ", "l"}, {"Ġ", "n"}, {"s", "t"}, {"Ġ", "g"}, {"o", "m"},
    {"Ġa", "nd"}, {"v", "e"}, {"l", "o"}, {"Ġ", "r"}, {"c", "h"}, {"o", "w"}, {"Ġo", "f"},
    {"Ġt", "o"}, {"Ġi", "s"}, {"Ġ", "H"}, {"Ġ", "T"}, {"e", "l"}, {"Ġ", "e"}, {"Ġw", "h"},
    {"Ġ", "u"}, {"l", "y"}
  };

  static final String CHAT_TEMPLATE =
      "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'assistant' %}"
          + "{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
          + "<start_of_turn>{{ role }}\n{{ message['content'] | trim }}<end_of_turn>\n{% endfor %}"
          + "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}";

  /**
   * Writes the demo checkpoint into {@code dir} (created if missing; existing demo files are
   * replaced). Each file is written under a temporary name and then renamed.
   *
   * @return {@code dir}
   */
  public static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Vocabulary vocab = Vocabulary.build();
    writeAtomically(dir.resolve("model.safetensors"), out -> writeWeights(out, vocab));
    writeJson(dir.resolve("config.json"), config(vocab.size()));
    writeJson(dir.resolve("generation_config.json"), generationConfig());
    writeJson(dir.resolve("tokenizer.json"), tokenizer(vocab));
    writeJson(dir.resolve("tokenizer_config.json"), tokenizerConfig());
    writeJson(dir.resolve("special_tokens_map.json"), specialTokensMap());
    return dir;
  }

  /**
   * The warning to log, one line per entry, when a build falls back to the demo written in {@code
   * dir}: it must be impossible to miss that the model has random weights.
   */
  public static List<String> warning(Path dir) {
    return List.of(
        "************************************************************************",
        "* No checkpoint configured (edgellm.checkpoint): using the DEMO model,   ",
        "* a tiny Gemma 3 with RANDOM WEIGHTS. Its replies are gibberish.         ",
        "* Demo checkpoint: " + dir,
        "* Set <edgellm.checkpoint>/path/to/your/model</edgellm.checkpoint> in     ",
        "* pom.xml (or -Dedgellm.checkpoint=...) to use your own model.           ",
        "************************************************************************");
  }

  /**
   * True when {@code checkpointDir}'s config.json is the demo's (it says {@code edge_llm_demo}).
   */
  public static boolean isDemo(Path checkpointDir) {
    Path config = checkpointDir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try {
      return new ObjectMapper().readTree(config.toFile()).path(DEMO_FLAG).asBoolean(false);
    } catch (IOException e) {
      return false;
    }
  }

  /** Number of tokens of the demo vocabulary (= {@code vocab_size} in config.json). */
  public static int vocabSize() {
    return Vocabulary.build().size();
  }

  // ---- config files ----------------------------------------------------------------------------

  private static Map<String, Object> config(int vocabSize) {
    Map<String, Object> ropeFull = new LinkedHashMap<>();
    ropeFull.put("rope_theta", 1000000.0);
    ropeFull.put("rope_type", "default");
    Map<String, Object> ropeSliding = new LinkedHashMap<>();
    ropeSliding.put("rope_theta", 10000.0);
    ropeSliding.put("rope_type", "default");
    Map<String, Object> rope = new LinkedHashMap<>();
    rope.put("full_attention", ropeFull);
    rope.put("sliding_attention", ropeSliding);
    List<String> layerTypes = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      layerTypes.add(i % 2 == 0 ? "sliding_attention" : "full_attention");
    }
    Map<String, Object> c = new TreeMap<>();
    c.put("_sliding_window_pattern", 2);
    c.put("architectures", List.of("Gemma3ForCausalLM"));
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("attn_logit_softcapping", null);
    c.put("bos_token_id", BOS);
    c.put("dtype", "bfloat16");
    c.put(DEMO_FLAG, true);
    c.put("eos_token_id", EOS);
    c.put("final_logit_softcapping", null);
    c.put("head_dim", HEAD_DIM);
    c.put("hidden_activation", "gelu_pytorch_tanh");
    c.put("hidden_size", HIDDEN);
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", INTERMEDIATE);
    c.put("layer_types", layerTypes);
    c.put("max_position_embeddings", 2048);
    c.put("model_type", "gemma3_text");
    c.put("num_attention_heads", HEADS);
    c.put("num_hidden_layers", LAYERS);
    c.put("num_key_value_heads", KV_HEADS);
    c.put("pad_token_id", PAD);
    c.put("query_pre_attn_scalar", HEAD_DIM);
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_parameters", rope);
    c.put("sliding_window", SLIDING_WINDOW);
    c.put("tie_word_embeddings", true);
    c.put("transformers_version", "5.17.0");
    c.put("use_bidirectional_attention", false);
    c.put("use_cache", true);
    c.put("vocab_size", vocabSize);
    return c;
  }

  private static Map<String, Object> generationConfig() {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("bos_token_id", BOS);
    g.put("eos_token_id", List.of(EOS, END_OF_TURN));
    g.put("pad_token_id", PAD);
    g.put("transformers_version", "5.17.0");
    g.put("use_cache", true);
    return g;
  }

  private static Map<String, Object> tokenizerConfig() {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("bos_token", "<bos>");
    t.put("eos_token", "<eos>");
    t.put("pad_token", "<pad>");
    t.put("unk_token", "<unk>");
    t.put("add_bos_token", true);
    t.put("add_eos_token", false);
    t.put("chat_template", CHAT_TEMPLATE);
    t.put("model_max_length", 2048);
    t.put("tokenizer_class", "PreTrainedTokenizerFast");
    t.put("clean_up_tokenization_spaces", false);
    return t;
  }

  private static Map<String, Object> specialTokensMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bos_token", "<bos>");
    m.put("eos_token", "<eos>");
    m.put("pad_token", "<pad>");
    m.put("unk_token", "<unk>");
    return m;
  }

  private static Map<String, Object> tokenizer(Vocabulary vocab) {
    List<Object> added = new ArrayList<>();
    for (int id = 0; id < SPECIALS.length; id++) {
      Map<String, Object> tok = new LinkedHashMap<>();
      tok.put("id", id);
      tok.put("content", SPECIALS[id]);
      tok.put("single_word", false);
      tok.put("lstrip", false);
      tok.put("rstrip", false);
      tok.put("normalized", false);
      tok.put("special", true);
      added.add(tok);
    }
    Map<String, Object> byteLevel = new LinkedHashMap<>();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", true);
    byteLevel.put("use_regex", true);

    Map<String, Object> bosRef = Map.of("SpecialToken", orderedMap("id", "<bos>", "type_id", 0));
    Map<String, Object> seqA = Map.of("Sequence", orderedMap("id", "A", "type_id", 0));
    Map<String, Object> seqB = Map.of("Sequence", orderedMap("id", "B", "type_id", 0));
    Map<String, Object> post = new LinkedHashMap<>();
    post.put("type", "TemplateProcessing");
    post.put("single", List.of(bosRef, seqA));
    post.put("pair", List.of(bosRef, seqA, bosRef, seqB));
    post.put(
        "special_tokens",
        Map.of(
            "<bos>", orderedMap("id", "<bos>", "ids", List.of(BOS), "tokens", List.of("<bos>"))));

    Map<String, Object> decoder = new LinkedHashMap<>(byteLevel);
    decoder.put("add_prefix_space", true);

    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    Map<String, Integer> vocabMap = new LinkedHashMap<>();
    for (int id = 0; id < vocab.size(); id++) {
      vocabMap.put(vocab.token(id), id);
    }
    model.put("vocab", vocabMap);
    List<List<String>> merges = new ArrayList<>();
    for (String[] m : MERGES) {
      merges.add(List.of(m[0], m[1]));
    }
    model.put("merges", merges);

    Map<String, Object> t = new LinkedHashMap<>();
    t.put("version", "1.0");
    t.put("truncation", null);
    t.put("padding", null);
    t.put("added_tokens", added);
    t.put("normalizer", null);
    t.put("pre_tokenizer", byteLevel);
    t.put("post_processor", post);
    t.put("decoder", decoder);
    t.put("model", model);
    return t;
  }

  private static Map<String, Object> orderedMap(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  // ---- weights ---------------------------------------------------------------------------------

  /** One tensor: name, shape and a generator of its values (called once, in header order). */
  private enum Kind {
    EMBEDDING,
    FINAL_NORM,
    PLAIN
  }

  private record Tensor(String name, int[] shape, double std, Kind kind) {
    long elements() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private static List<Tensor> tensors(int vocabSize) {
    List<Tensor> list = new ArrayList<>();
    list.add(
        new Tensor(
            "model.embed_tokens.weight", new int[] {vocabSize, HIDDEN}, EMBED_STD, Kind.EMBEDDING));
    for (int i = 0; i < LAYERS; i++) {
      String p = "model.layers." + i + ".";
      for (String norm :
          List.of(
              "input_layernorm",
              "post_attention_layernorm",
              "pre_feedforward_layernorm",
              "post_feedforward_layernorm")) {
        list.add(new Tensor(p + norm + ".weight", new int[] {HIDDEN}, NORM_STD, Kind.PLAIN));
      }
      double inStd = 1.0 / Math.sqrt(HIDDEN);
      list.add(proj(p + "self_attn.q_proj.weight", HEADS * HEAD_DIM, HIDDEN, inStd));
      list.add(proj(p + "self_attn.k_proj.weight", KV_HEADS * HEAD_DIM, HIDDEN, inStd));
      list.add(proj(p + "self_attn.v_proj.weight", KV_HEADS * HEAD_DIM, HIDDEN, inStd));
      list.add(
          proj(
              p + "self_attn.o_proj.weight",
              HIDDEN,
              HEADS * HEAD_DIM,
              1.0 / Math.sqrt(HEADS * HEAD_DIM)));
      list.add(
          new Tensor(p + "self_attn.q_norm.weight", new int[] {HEAD_DIM}, NORM_STD, Kind.PLAIN));
      list.add(
          new Tensor(p + "self_attn.k_norm.weight", new int[] {HEAD_DIM}, NORM_STD, Kind.PLAIN));
      list.add(proj(p + "mlp.gate_proj.weight", INTERMEDIATE, HIDDEN, inStd));
      list.add(proj(p + "mlp.up_proj.weight", INTERMEDIATE, HIDDEN, inStd));
      list.add(
          proj(p + "mlp.down_proj.weight", HIDDEN, INTERMEDIATE, 1.0 / Math.sqrt(INTERMEDIATE)));
    }
    list.add(new Tensor("model.norm.weight", new int[] {HIDDEN}, NORM_STD, Kind.FINAL_NORM));
    return list;
  }

  private static Tensor proj(String name, int out, int in, double std) {
    return new Tensor(name, new int[] {out, in}, std, Kind.PLAIN);
  }

  private static void writeWeights(OutputStream out, Vocabulary vocab) throws IOException {
    List<Tensor> tensors = tensors(vocab.size());
    // Values are drawn in a fixed order (the order of tensors(), then row-major), the header lists
    // tensors sorted by name as safetensors writers do; data follows in header order.
    Random random = new Random(SEED);
    Map<String, byte[]> data = new TreeMap<>();
    for (Tensor t : tensors) {
      data.put(t.name(), bf16(values(t, random, vocab)));
    }
    Map<String, Tensor> byName = new TreeMap<>();
    for (Tensor t : tensors) {
      byName.put(t.name(), t);
    }
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (Map.Entry<String, Tensor> e : byName.entrySet()) {
      long bytes = e.getValue().elements() * 2;
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", "BF16");
      List<Integer> shape = new ArrayList<>();
      for (int d : e.getValue().shape()) {
        shape.add(d);
      }
      entry.put("shape", shape);
      entry.put("data_offsets", List.of(offset, offset + bytes));
      header.put(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json = new ObjectMapper().writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    out.write(len.array());
    out.write(headerBytes);
    for (byte[] bytes : data.values()) {
      out.write(bytes);
    }
  }

  private static float[] values(Tensor t, Random random, Vocabulary vocab) {
    float[] v = new float[(int) t.elements()];
    if (t.kind() == Kind.EMBEDDING) {
      for (int row = 0; row < t.shape()[0]; row++) {
        double std = vocab.isPrintable(row) ? EMBED_STD : QUIET_EMBED_STD;
        fillQuantizable(v, row * HIDDEN, HIDDEN, std, random);
      }
    } else if (t.kind() == Kind.FINAL_NORM) {
      // Gemma scales by (1 + weight): every other channel gets -1 instead of +1. With tied
      // embeddings, the logit of the last token would otherwise be its embedding's squared norm,
      // and a random model would repeat one token forever; flipped channels cancel that term.
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((i % 2 == 0 ? -2.0 : 0.0) + random.nextGaussian() * t.std());
      }
    } else if (t.shape().length == 2) {
      int rowLength = t.shape()[1];
      for (int row = 0; row < t.shape()[0]; row++) {
        fillQuantizable(v, row * rowLength, rowLength, t.std(), random);
      }
    } else {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (random.nextGaussian() * t.std());
      }
    }
    return v;
  }

  /** Elements per chunk that holds both extremes of the 4-bit range (see fillQuantizable). */
  static final int CHUNK = 16;

  /**
   * Fills one matrix row with roughly Gaussian values of the given spread that 4-bit block
   * quantization represents exactly: every value is {@code q * s}, with one scale {@code s} for the
   * row (4 significant bits, so {@code q * s} is exact in bf16) and integer {@code q} in [-8, 7],
   * and every chunk of {@link #CHUNK} values holds a -8 and a 7. A quantizer's block of 16, 32, 64
   * or 128 values along the row then finds the scale {@code s} (symmetric: -max/8; asymmetric: (max
   * - min)/15 with zero point 8) and rounds each value to itself. So the demo's q4 model computes
   * what its fp32 model computes, and validation compares like with like: random weights with small
   * logit margins would otherwise flip many greedy tokens under quantization noise.
   */
  private static void fillQuantizable(
      float[] v, int offset, int length, double std, Random random) {
    double scale = fourSignificantBits(std / 2.5);
    for (int chunk = 0; chunk < length; chunk += CHUNK) {
      int n = Math.min(CHUNK, length - chunk);
      int[] q = new int[n];
      for (int i = 0; i < n; i++) {
        q[i] = (int) Math.max(-7, Math.min(7, Math.round(random.nextGaussian() * 2.5)));
      }
      int low = random.nextInt(n);
      int high = (low + 1 + random.nextInt(n - 1)) % n;
      q[low] = -8;
      q[high] = 7;
      for (int i = 0; i < n; i++) {
        v[offset + chunk + i] = (float) (q[i] * scale);
      }
    }
  }

  /** {@code x} rounded to 4 significant bits (a power of two times 8..16). */
  static double fourSignificantBits(double x) {
    double unit = Math.scalb(1.0, Math.getExponent(x) - 3);
    return Math.round(x / unit) * unit;
  }

  /** Rounds float32 to bfloat16 (round to nearest, ties to even), little-endian. */
  static byte[] bf16(float[] values) {
    byte[] out = new byte[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      int bits = Float.floatToIntBits(values[i]);
      int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
      out[2 * i] = (byte) rounded;
      out[2 * i + 1] = (byte) (rounded >>> 8);
    }
    return out;
  }

  // ---- vocabulary ------------------------------------------------------------------------------

  /** Specials, then the 256 bytes in GPT-2 byte-to-unicode order, then one token per merge. */
  static final class Vocabulary {
    private final List<String> tokens = new ArrayList<>();
    private final List<Boolean> printable = new ArrayList<>();

    static Vocabulary build() {
      Vocabulary v = new Vocabulary();
      for (String s : SPECIALS) {
        v.add(s, false);
      }
      // GPT-2's byte-to-unicode table: printable Latin-1 bytes map to themselves, the others to
      // U+0100 and up, in byte order.
      List<Integer> bytes = new ArrayList<>();
      for (int b = '!'; b <= '~'; b++) {
        bytes.add(b);
      }
      for (int b = 0xA1; b <= 0xAC; b++) {
        bytes.add(b);
      }
      for (int b = 0xAE; b <= 0xFF; b++) {
        bytes.add(b);
      }
      List<Integer> direct = new ArrayList<>(bytes);
      Map<Integer, Character> unicode = new TreeMap<>();
      int extra = 0;
      for (int b = 0; b < 256; b++) {
        unicode.put(b, direct.contains(b) ? (char) b : (char) (256 + extra++));
        if (!direct.contains(b)) {
          bytes.add(b);
        }
      }
      for (int b : bytes) {
        v.add(String.valueOf(unicode.get(b)), b >= 0x20 && b <= 0x7E);
      }
      for (String[] m : MERGES) {
        v.add(m[0] + m[1], true);
      }
      return v;
    }

    private void add(String token, boolean isPrintable) {
      if (tokens.contains(token)) {
        throw new IllegalStateException("duplicate demo token " + token);
      }
      tokens.add(token);
      printable.add(isPrintable);
    }

    int size() {
      return tokens.size();
    }

    String token(int id) {
      return tokens.get(id);
    }

    boolean isPrintable(int id) {
      return printable.get(id);
    }
  }

  // ---- file output -----------------------------------------------------------------------------

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private static void writeJson(Path file, Object value) throws IOException {
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter(
                Separators.createDefaultInstance().withObjectFieldValueSpacing(Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    printer.indentArraysWith(new DefaultIndenter("  ", "\n"));
    ObjectWriter writer =
        new ObjectMapper().writer(printer).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    writeAtomically(
        file,
        out -> {
          writer.writeValue(out, value);
          out.write("\n".getBytes(StandardCharsets.UTF_8));
        });
  }

  /**
   * Writes the file under a temporary name and renames it; a file that already holds exactly these
   * bytes is left alone (its modification time too, for the goals' up-to-date checks).
   */
  private static void writeAtomically(Path file, Writer writer) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    writer.write(bytes);
    byte[] content = bytes.toByteArray();
    if (Files.isRegularFile(file)
        && Files.size(file) == content.length
        && java.util.Arrays.equals(Files.readAllBytes(file), content)) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, content);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    if (Files.isRegularFile(file) && Files.mismatch(tmp, file) == -1) {
      // Same bytes as before: keep the existing file and its timestamp, so builds stay up to date.
      Files.delete(tmp);
      return;
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
