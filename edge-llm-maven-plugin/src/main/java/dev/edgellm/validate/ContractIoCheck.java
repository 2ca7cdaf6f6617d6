package dev.edgellm.validate;

import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code contract.io}: the decoder's inputs and outputs are what Transformers.js 4.x feeds and
 * reads, and their sizes agree with config.json.
 *
 * <p>Transformers.js creates the first, empty cache from the {@code past_key_values.*} input
 * shapes: a numeric dim is used as is, a dim named {@code batch_size} becomes the batch, and every
 * other named dim becomes 0. So the cache must be {@code [batch_size, <kv heads>, <any name>, <head
 * dim>]} with the head counts as numbers, or the first run fails.
 */
final class ContractIoCheck implements Check {
  @Override
  public String id() {
    return "contract.io";
  }

  @Override
  public String title() {
    return "Inputs/outputs fit the Transformers.js decoder contract and config.json";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    ModelDims dims;
    try {
      dims = ModelDims.of(ctx.json("config.json"));
    } catch (IllegalArgumentException e) {
      out.error(
          "config.json",
          e.getMessage() + ": the sizes of the cache cannot be checked",
          "Copy config.json from the base model");
      return;
    }
    out.detail("layers", dims.layers());
    out.detail("kvHeads", dims.kvHeads());
    out.detail("headDim", dims.headDim());
    out.detail("vocabSize", dims.vocabSize());
    ModelProto model = ctx.model();
    GraphProto graph = model.getGraph();
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
    Map<String, ValueInfoProto> inputs = new HashMap<>();
    for (ValueInfoProto v : graph.getInputList()) {
      if (!initializers.contains(v.getName())) {
        inputs.put(v.getName(), v);
      }
    }
    Map<String, ValueInfoProto> outputs = new HashMap<>();
    graph.getOutputList().forEach(v -> outputs.put(v.getName(), v));
    int errorsBefore = count(out);

    tokenInput(file, inputs.get("input_ids"), "input_ids", true, out);
    tokenInput(file, inputs.get("attention_mask"), "attention_mask", true, out);
    tokenInput(file, inputs.get("position_ids"), "position_ids", false, out);
    logitsToKeep(file, inputs.get("num_logits_to_keep"), out);

    int kvType = -1;
    for (int i = 0; i < dims.layers(); i++) {
      for (String name : new String[] {DecoderContract.pastKey(i), DecoderContract.pastValue(i)}) {
        ValueInfoProto v = inputs.get(name);
        if (v == null) {
          out.error(
              file,
              "Input "
                  + name
                  + " is missing: Transformers.js feeds the cache of all "
                  + dims.layers()
                  + " layers (num_hidden_layers in config.json)",
              "Export again with a KV cache for every layer");
          continue;
        }
        kvType = cacheShape(file, v, dims, true, out, kvType);
      }
      for (String name :
          new String[] {DecoderContract.presentKey(i), DecoderContract.presentValue(i)}) {
        ValueInfoProto v = outputs.get(name);
        if (v == null) {
          out.error(
              file,
              "Output "
                  + name
                  + " is missing: Transformers.js reads present.N.key/value back as the next step's cache",
              "Export again with present outputs for every layer");
          continue;
        }
        cacheShape(file, v, dims, false, out, kvType);
      }
    }
    for (String name : inputs.keySet()) {
      if (name.startsWith("past_key_values.")) {
        if (!isLayerName(name, dims.layers())) {
          out.error(
              file,
              "Input " + name + " does not match config.json's " + dims.layers() + " layers",
              "Check num_hidden_layers in config.json, or export again");
        }
      } else if (!TransformersJsSupport.FED_INPUTS.contains(name)) {
        out.error(
            file,
            "Input "
                + name
                + " is not one Transformers.js feeds a decoder: session.run fails with a missing input",
            "Export with inputs input_ids, attention_mask, position_ids and past_key_values.N.key/value only");
      }
    }

    ValueInfoProto logits = outputs.get("logits");
    int logitsType = -1;
    if (logits == null) {
      out.error(
          file,
          "Output logits is missing: Transformers.js samples from it",
          "Export again with a logits output");
    } else {
      logitsType = elemType(logits);
      TensorShapeProto shape = shape(logits);
      if (logitsType != 1 && logitsType != 10) {
        out.error(
            file,
            "logits is of ONNX type " + logitsType + ", not float or float16",
            "Export logits as float");
      }
      if (shape != null && shape.getDimCount() == 3) {
        TensorShapeProto.Dimension v = shape.getDim(2);
        if (v.hasDimValue() && v.getDimValue() != dims.vocabSize()) {
          out.error(
              file,
              "logits has "
                  + v.getDimValue()
                  + " entries per token but config.json's vocab_size is "
                  + dims.vocabSize(),
              "Export again, or fix vocab_size in config.json");
        } else if (!v.hasDimValue()) {
          out.warn(
              file,
              "logits' vocabulary dim is symbolic ('"
                  + v.getDimParam()
                  + "'); it cannot be compared with vocab_size",
              "Export with a numeric vocabulary dim");
        }
      } else if (shape != null) {
        out.error(
            file,
            "logits has " + shape.getDimCount() + " dims, not [batch, sequence, vocab]",
            "Export again");
      }
    }
    out.detail("positionIds", inputs.containsKey("position_ids"));
    if (count(out) == errorsBefore) {
      ctx.contract(
          new DecoderContract(
              inputs.containsKey("position_ids"),
              inputs.containsKey("num_logits_to_keep"),
              inputs.containsKey("use_cache_branch"),
              dims.layers(),
              dims.kvHeads(),
              dims.headDim(),
              dims.vocabSize(),
              kvType,
              logitsType));
    }
  }

  /**
   * {@code num_logits_to_keep}, where declared, is what Transformers.js feeds: an int64 scalar (1
   * in generate(), 0 = every position otherwise).
   */
  private static void logitsToKeep(String file, ValueInfoProto v, Findings out) {
    if (v == null) {
      return;
    }
    TensorShapeProto shape = shape(v);
    if (elemType(v) != 7 || (shape != null && shape.getDimCount() != 0)) {
      out.error(
          file,
          "Input num_logits_to_keep is of ONNX type "
              + elemType(v)
              + (shape != null ? " with " + shape.getDimCount() + " dims" : "")
              + "; Transformers.js feeds it as an int64 scalar",
          "Export num_logits_to_keep as an int64 scalar (shape [])");
    }
    out.detail("numLogitsToKeep", true);
  }

  private static void tokenInput(
      String file, ValueInfoProto v, String name, boolean required, Findings out) {
    if (v == null) {
      if (required) {
        out.error(
            file,
            "Input "
                + name
                + " is missing: Transformers.js feeds input_ids and attention_mask to every decoder",
            "Export again with an " + name + " input (int64 [batch_size, sequence_length])");
      }
      return;
    }
    if (elemType(v) != 7) {
      out.error(
          file,
          "Input " + name + " is of ONNX type " + elemType(v) + "; Transformers.js feeds int64",
          "Export " + name + " as int64");
    }
    TensorShapeProto shape = shape(v);
    if (shape != null && shape.getDimCount() != 2) {
      out.error(
          file,
          "Input "
              + name
              + " has "
              + shape.getDimCount()
              + " dims; Transformers.js feeds [batch, sequence]",
          "Export again");
    }
  }

  /** Checks one cache tensor; returns its element type (the first one seen decides). */
  private static int cacheShape(
      String file, ValueInfoProto v, ModelDims dims, boolean input, Findings out, int kvType) {
    String name = v.getName();
    int type = elemType(v);
    if (type != 1 && type != 10) {
      out.error(
          file,
          name + " is of ONNX type " + type + ", not float or float16",
          "Export the cache as float");
    } else if (kvType != -1 && type != kvType) {
      out.error(
          file,
          name + " is of ONNX type " + type + " but other cache tensors are " + kvType,
          "Export one cache type");
    }
    TensorShapeProto shape = shape(v);
    if (shape == null) {
      if (input) {
        out.error(
            file,
            name + " has no shape: Transformers.js sizes the empty cache from it",
            "Export with cache shapes");
      }
      return type;
    }
    if (shape.getDimCount() != 4) {
      out.error(
          file,
          name
              + " has "
              + shape.getDimCount()
              + " dims, not [batch_size, kv_heads, sequence, head_dim]",
          "Export again");
      return type;
    }
    TensorShapeProto.Dimension batch = shape.getDim(0);
    TensorShapeProto.Dimension heads = shape.getDim(1);
    TensorShapeProto.Dimension seq = shape.getDim(2);
    TensorShapeProto.Dimension head = shape.getDim(3);
    if (input) {
      if (!(batch.hasDimValue() && batch.getDimValue() == 1)
          && !"batch_size".equals(batch.getDimParam())) {
        out.error(
            file,
            name
                + "'s first dim is "
                + describe(batch)
                + ": Transformers.js 4.x resolves only a dim named"
                + " 'batch_size' to the batch (any other name becomes 0), so the first run gets an empty batch",
            "Name the cache's first dim 'batch_size'");
      }
      if (!seq.hasDimParam() || "batch_size".equals(seq.getDimParam())) {
        out.error(
            file,
            name
                + "'s third dim is "
                + describe(seq)
                + "; it must be a symbolic past length (e.g. 'past_sequence_length')"
                + " so the first, empty cache has length 0",
            "Export with a symbolic past-length dim");
      }
    }
    dimension(
        file, name, "second (KV heads)", heads, dims.kvHeads(), "num_key_value_heads", input, out);
    dimension(file, name, "fourth (head size)", head, dims.headDim(), "head_dim", input, out);
    return type;
  }

  private static void dimension(
      String file,
      String name,
      String which,
      TensorShapeProto.Dimension d,
      int expected,
      String key,
      boolean input,
      Findings out) {
    if (d.hasDimValue()) {
      if (d.getDimValue() != expected) {
        out.error(
            file,
            name
                + "'s "
                + which
                + " dim is "
                + d.getDimValue()
                + " but config.json gives "
                + key
                + " = "
                + expected,
            "Export again from this checkpoint, or fix config.json");
      }
    } else if (input) {
      out.error(
          file,
          name
              + "'s "
              + which
              + " dim is symbolic ("
              + describe(d)
              + "): Transformers.js 4.x turns it into 0 for the"
              + " first, empty cache",
          "Export the cache with numeric head dims (" + key + " = " + expected + ")");
    }
  }

  private static boolean isLayerName(String name, int layers) {
    String[] parts = name.split("\\.");
    if (parts.length != 3 || !(parts[2].equals("key") || parts[2].equals("value"))) {
      return false;
    }
    try {
      int i = Integer.parseInt(parts[1]);
      return i >= 0 && i < layers;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String describe(TensorShapeProto.Dimension d) {
    return d.hasDimValue()
        ? String.valueOf(d.getDimValue())
        : d.hasDimParam() ? "'" + d.getDimParam() + "'" : "unnamed";
  }

  private static int elemType(ValueInfoProto v) {
    TypeProto t = v.getType();
    return t.hasTensorType() ? t.getTensorType().getElemType() : -1;
  }

  private static TensorShapeProto shape(ValueInfoProto v) {
    TypeProto t = v.getType();
    return t.hasTensorType() && t.getTensorType().hasShape() ? t.getTensorType().getShape() : null;
  }

  private static int count(Findings out) {
    return (int) out.list().stream().filter(f -> f.severity() == Severity.ERROR).count();
  }
}
