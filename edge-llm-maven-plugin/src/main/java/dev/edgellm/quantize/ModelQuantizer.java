package dev.edgellm.quantize;

import dev.edgellm.onnx.ModelTensors;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UpToDateCheck;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The quantize stage: reads an ONNX model, replaces every {@code MatMul} whose B is a 2-D fp32/fp16
 * initializer (in subgraphs too) by {@code com.microsoft.MatMulNBits} with 4-bit weights, and
 * optionally every {@code Gather} over a 2-D fp32/fp16 initializer (an embedding) by {@code
 * com.microsoft.GatherBlockQuantized}; writes the result as one embedded file. The weights are
 * byte-identical to what onnxruntime 1.30's {@code MatMulNBitsQuantizer} writes (see {@link
 * BlockQuantizer}); node names ({@code <name>_Q4}), initializer names ({@code <W>_Q4}, {@code
 * <W>_scales}, {@code <W>_zero_points}), attributes, opset imports and the order of the main
 * graph's nodes follow it too, so the output file is byte-identical to onnxruntime's. Other nodes
 * are left as they are; a replaced weight is removed once no node uses it.
 */
public final class ModelQuantizer {
  private ModelQuantizer() {}

  /**
   * The up-to-date check of {@code req}: the input model file and the files beside it whose names
   * start with its name (external data such as {@code model.onnx_data}), by size and time, and
   * every setting; the fingerprint is kept beside the output ({@code .<output
   * name>.edge-llm-quantize}).
   */
  public static UpToDateCheck upToDateCheck(QuantizeRequest req) {
    Path input = req.input().toAbsolutePath().normalize();
    Path output = req.output().toAbsolutePath().normalize();
    List<Path> inputs = new ArrayList<>();
    inputs.add(input);
    Path dir = input.getParent();
    if (dir != null && Files.isDirectory(dir)) {
      String name = input.getFileName().toString();
      try (var files = Files.list(dir)) {
        files
            .filter(f -> !f.equals(input) && f.getFileName().toString().startsWith(name))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(inputs::add);
      } catch (IOException e) {
        // the input itself is fingerprinted; run() reports an unreadable folder
      }
    }
    Map<String, String> settings = new TreeMap<>();
    settings.put("edgellm.quantize.blockSize", Integer.toString(req.blockSize()));
    settings.put("edgellm.quantize.symmetric", Boolean.toString(req.symmetric()));
    settings.put("edgellm.quantize.accuracyLevel", Integer.toString(req.accuracyLevel()));
    settings.put(
        "edgellm.quantize.excludeNodes", String.join(",", new TreeSet<>(req.excludeNodes())));
    settings.put("edgellm.quantize.embeddings", Boolean.toString(req.embeddings()));
    settings.put("edgellm.quantize.output", output.toString());
    settings.put("edgellm.maxModelBytes", Long.toString(req.maxOutputBytes()));
    return UpToDateCheck.of(
        output.resolveSibling("." + output.getFileName() + ".edge-llm-quantize"),
        "edge-llm:quantize",
        settings,
        inputs);
  }

  /**
   * {@link #run} unless the output is up to date (same input files, same settings, output as
   * written): then logs that it skips and returns empty. Records the fingerprint after a run.
   */
  public static Optional<QuantizeResult> runUnlessUpToDate(QuantizeRequest req, Reporter reporter)
      throws UserErrorException, IOException {
    UpToDateCheck check = upToDateCheck(req);
    if (check.skipIfUpToDate(
        reporter,
        "input model and settings",
        "delete " + req.output() + " or change a setting to rebuild")) {
      return Optional.empty();
    }
    QuantizeResult result = run(req, reporter);
    check.record(List.of(result.output()));
    return Optional.of(result);
  }

  /**
   * Runs the stage: validates the request, reads, quantizes, writes (to a temporary file renamed
   * into place), and logs progress and a summary through {@code reporter}.
   *
   * @throws UserErrorException a bad setting, an input that is not a usable ONNX model, an output
   *     path equal to the input, or an output over the size limit; nothing is written then
   * @throws IOException reading or writing failed
   */
  public static QuantizeResult run(QuantizeRequest req, Reporter reporter)
      throws UserErrorException, IOException {
    long t0 = System.nanoTime();
    validate(req);
    Path out = req.output().toAbsolutePath().normalize();
    try (OnnxModel in = OnnxModel.read(req.input())) {
      for (Path ext : in.externalFiles()) {
        if (OnnxWriter.sameFile(ext, out)) {
          throw new UserErrorException(
              "quantize output "
                  + out
                  + " is an external data file of the input model; set"
                  + " output (-Dedgellm.quantize.output) to another path");
        }
      }
      reporter.info(
          String.format(
              Locale.ROOT,
              "quantize: %s (%.1f MB%s), block size %d, %s%s%s",
              in.file(),
              ProgressMeter.mb(in.totalSize()),
              in.externalDataSize() > 0 ? ", with external data" : "",
              req.blockSize(),
              req.symmetric() ? "symmetric" : "asymmetric",
              req.accuracyLevel() != 0 ? ", accuracy level " + req.accuracyLevel() : "",
              req.embeddings() ? ", embeddings too" : ""));
      long t1 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: read in %.3f s", (t1 - t0) / 1e9));
      Outcome o = quantize(in.proto(), req, reporter);
      long t2 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: quantized in %.3f s", (t2 - t1) / 1e9));
      if (o.quantized() == 0) {
        reporter.warn(
            "quantize: no MatMul with a 2-D fp32/fp16 initializer as B"
                + (req.embeddings() ? " and no Gather over one" : "")
                + " in "
                + in.file()
                + "; the output is the input unchanged");
      }
      long written = OnnxWriter.writeEmbedded(o.model(), out, req.maxOutputBytes());
      long t3 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: written in %.3f s", (t3 - t2) / 1e9));
      double secs = (t3 - t0) / 1e9;
      reporter.info(
          String.format(
              Locale.ROOT,
              "quantize: wrote %s: input %.1f MB, output %.1f MB, %d tensors quantized, %d"
                  + " tensors left as they were, %.2f s (%.1f MB/s)",
              out,
              ProgressMeter.mb(in.totalSize()),
              ProgressMeter.mb(written),
              o.quantized(),
              o.left(),
              secs,
              ProgressMeter.mb(in.totalSize()) / secs));
      return new QuantizeResult(out, in.totalSize(), written, o.quantized(), o.left(), secs);
    }
  }

  private static void validate(QuantizeRequest req) throws UserErrorException, IOException {
    if (!BlockQuantizer.isValidBlockSize(req.blockSize())) {
      throw new UserErrorException(
          "quantize block size "
              + req.blockSize()
              + " is not supported; set blockSize"
              + " (-Dedgellm.quantize.blockSize) to 16, 32, 64, 128 or 256");
    }
    if (req.accuracyLevel() < 0 || req.accuracyLevel() > 4) {
      throw new UserErrorException(
          "quantize accuracy level "
              + req.accuracyLevel()
              + " is not supported; set"
              + " accuracyLevel (-Dedgellm.quantize.accuracyLevel) to 0 (unset), 1 (fp32),"
              + " 2 (fp16), 3 (bf16) or 4 (int8)");
    }
    if (req.input() == null || req.output() == null) {
      throw new UserErrorException(
          "quantize needs an input and an output model; set input (-Dedgellm.quantize.input)"
              + " and output (-Dedgellm.quantize.output)");
    }
    if (OnnxWriter.sameFile(req.input(), req.output())) {
      throw new UserErrorException(
          "quantize output "
              + req.output().toAbsolutePath().normalize()
              + " is the input model;"
              + " set output (-Dedgellm.quantize.output) to another path, the input is never"
              + " overwritten");
    }
    if (!Files.exists(req.input())) {
      throw new UserErrorException(
          "quantize input "
              + req.input().toAbsolutePath().normalize()
              + " does not exist; run"
              + " the export goal first or set input (-Dedgellm.quantize.input) to an .onnx file");
    }
  }

  /** The quantized model and its counts. */
  public record Outcome(ModelProto model, int quantized, int left) {}

  /**
   * Quantizes a model in memory (no files): the transformation {@link #run} applies. Tensor data
   * must be inline, as {@link OnnxModel#read} provides it. Input and output of the request are
   * ignored; its block size, symmetry, accuracy level, excluded nodes and embeddings flag apply
   * (the block size must be valid).
   */
  public static Outcome quantize(ModelProto model, QuantizeRequest req, Reporter reporter)
      throws OnnxFormatException {
    // pass 1: find the weights, for the progress log
    Pass plan = new Pass(req, null);
    plan.graph(model.getGraph());
    ProgressMeter meter =
        new ProgressMeter(reporter, "quantize", plan.weights.size(), plan.bytes, 2000);
    // pass 2: quantize
    Pass pass = new Pass(req, meter);
    GraphProto graph = pass.graph(model.getGraph());
    if (pass.quantized > 0) {
      graph = onnxruntimeOrder(graph);
    }
    ModelProto.Builder mb = model.toBuilder().setGraph(graph);
    if (pass.quantized > 0) {
      setOpset(mb, OnnxNodes.MS_DOMAIN, 1, false);
    }
    if (pass.gathers > 0 && setOpset(mb, "", 21, true)) {
      reporter.warn(
          "quantize: GatherBlockQuantized uses INT4 tensors, which need ONNX opset 21; the"
              + " model's default opset was raised to 21 (as onnxruntime does)");
    }
    ModelProto out = mb.build();
    int[] tensors = {0};
    try {
      ModelTensors.forEach(out, (t, where) -> tensors[0]++);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new Outcome(out, pass.quantized, tensors[0] - pass.added);
  }

  /**
   * Orders the main graph's nodes as onnxruntime's quantizer does when it saves (its {@code
   * ONNXModel.topological_sort}), so that our file matches its file byte for byte: nodes without
   * inputs first, then nodes made ready by initializers and graph inputs taken in sorted name
   * order, then breadth-first by outputs. Any valid order would do for running the model; if the
   * graph is not a DAG of known names the order is left as it is.
   */
  public static GraphProto onnxruntimeOrder(GraphProto g) {
    List<NodeProto> nodes = g.getNodeList();
    int[] deps = new int[nodes.size()];
    Map<String, List<Integer>> consumers = new HashMap<>();
    List<NodeProto> sorted = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).getInputList()) {
        if (!in.isEmpty()) {
          deps[i]++;
          consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(i);
        }
      }
      if (deps[i] == 0) {
        sorted.add(nodes.get(i));
      }
    }
    List<String> names = new ArrayList<>();
    for (TensorProto t : g.getInitializerList()) {
      names.add(t.getName());
    }
    for (ValueInfoProto v : g.getInputList()) {
      names.add(v.getName());
    }
    java.util.Collections.sort(names);
    String prev = null;
    for (String name : names) {
      if (name.equals(prev)) {
        continue;
      }
      prev = name;
      for (int i : consumers.getOrDefault(name, List.of())) {
        if (--deps[i] == 0) {
          sorted.add(nodes.get(i));
        }
      }
    }
    for (int s = 0; s < sorted.size(); s++) {
      for (String out : sorted.get(s).getOutputList()) {
        for (int i : consumers.getOrDefault(out, List.of())) {
          if (--deps[i] == 0) {
            sorted.add(nodes.get(i));
          }
        }
      }
    }
    if (sorted.size() != nodes.size()) {
      return g;
    }
    return g.toBuilder().clearNode().addAllNode(sorted).build();
  }

  /** Sets the opset of {@code domain}: adds it if absent; raises it if {@code raiseOnly}. */
  private static boolean setOpset(
      ModelProto.Builder mb, String domain, long version, boolean raiseOnly) {
    for (int i = 0; i < mb.getOpsetImportCount(); i++) {
      OperatorSetIdProto o = mb.getOpsetImport(i);
      String d = o.getDomain();
      boolean same = d.equals(domain) || (domain.isEmpty() && d.equals("ai.onnx"));
      if (same) {
        if (raiseOnly && o.getVersion() < version) {
          mb.setOpsetImport(i, o.toBuilder().setVersion(version));
          return true;
        }
        return false;
      }
    }
    mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
    return true;
  }

  /** One traversal of the model's graphs; with a null meter it only plans. */
  private static final class Pass {
    final QuantizeRequest req;
    final ProgressMeter meter;
    final Deque<Scope> stack = new ArrayDeque<>();
    final Set<String> weights = new LinkedHashSet<>();
    long bytes;
    int scopes;
    int quantized;
    int gathers;
    int added;

    Pass(QuantizeRequest req, ProgressMeter meter) {
      this.req = req;
      this.meter = meter;
    }

    GraphProto graph(GraphProto g) throws OnnxFormatException {
      Scope s = new Scope(g, scopes++);
      stack.push(s);
      List<NodeProto> nodes = new ArrayList<>(g.getNodeCount());
      for (NodeProto n : g.getNodeList()) {
        nodes.add(node(subgraphs(n)));
      }
      stack.pop();
      if (meter == null) {
        return g;
      }
      // drop replaced weights nothing uses any more, then append the new ones
      Set<String> used = new HashSet<>();
      collectInputs(nodes, used);
      for (ValueInfoProto o : g.getOutputList()) {
        used.add(o.getName());
      }
      Set<String> drop = new HashSet<>();
      for (String w : s.replaced) {
        if (!used.contains(w)) {
          drop.add(w);
        }
      }
      GraphProto.Builder gb = g.toBuilder().clearNode().addAllNode(nodes);
      if (!drop.isEmpty() || !s.added.isEmpty()) {
        gb.clearInitializer();
        for (TensorProto t : g.getInitializerList()) {
          if (!drop.contains(t.getName())) {
            gb.addInitializer(t);
          }
        }
        gb.addAllInitializer(s.added);
        gb.clearInput();
        for (ValueInfoProto in : g.getInputList()) {
          if (!drop.contains(in.getName())) {
            gb.addInput(in);
          }
        }
      }
      return gb.build();
    }

    /** Processes the subgraphs of If/Loop/Scan-like nodes. */
    NodeProto subgraphs(NodeProto n) throws OnnxFormatException {
      boolean any = false;
      for (AttributeProto a : n.getAttributeList()) {
        any |= a.hasG() || a.getGraphsCount() > 0;
      }
      if (!any) {
        return n;
      }
      NodeProto.Builder nb = n.toBuilder();
      for (int i = 0; i < nb.getAttributeCount(); i++) {
        AttributeProto a = nb.getAttribute(i);
        if (!a.hasG() && a.getGraphsCount() == 0) {
          continue;
        }
        AttributeProto.Builder ab = a.toBuilder();
        if (ab.hasG()) {
          ab.setG(graph(ab.getG()));
        }
        for (int j = 0; j < ab.getGraphsCount(); j++) {
          ab.setGraphs(j, graph(ab.getGraphs(j)));
        }
        nb.setAttribute(i, ab);
      }
      return meter == null ? n : nb.build();
    }

    NodeProto node(NodeProto n) throws OnnxFormatException {
      if (req.excludeNodes().contains(n.getName())) {
        return n;
      }
      boolean onnxDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
      if (!onnxDomain) {
        return n;
      }
      if (n.getOpType().equals("MatMul") && n.getInputCount() == 2) {
        Found f = weight(n.getInput(1));
        if (f == null) {
          return n;
        }
        String w = f.tensor.getName();
        MatMulNBitsWeight q = (MatMulNBitsWeight) f.scope.done.get(w);
        if (q == null) {
          if (meter == null) {
            plan(f);
            return n;
          }
          TensorProto b = f.tensor;
          int k = (int) b.getDims(0);
          int cols = (int) b.getDims(1);
          q =
              BlockQuantizer.quantizeKxN(
                  WeightSource.of(Tensors.data(b), b.getDataType(), k, cols),
                  req.blockSize(),
                  req.symmetric(),
                  true);
          record(f, q.initializers(w), q);
        }
        return q.node(
            n.getName().isEmpty() ? "" : n.getName() + "_Q4",
            n.getInput(0),
            n.getOutput(0),
            w,
            req.accuracyLevel());
      }
      if (req.embeddings() && n.getOpType().equals("Gather") && n.getInputCount() == 2) {
        long axis = 0;
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("axis")) {
            axis = a.getI();
          }
        }
        Found f = weight(n.getInput(0));
        if (f == null || axis != 0) {
          return n;
        }
        String t = f.tensor.getName();
        GatherBlockQuantizedTable q = (GatherBlockQuantizedTable) f.scope.done.get(t);
        if (q == null) {
          if (meter == null) {
            plan(f);
            return n;
          }
          TensorProto d = f.tensor;
          q =
              BlockQuantizer.quantizeTable(
                  WeightSource.of(
                      Tensors.data(d), d.getDataType(), (int) d.getDims(0), (int) d.getDims(1)),
                  req.blockSize(),
                  req.symmetric(),
                  true);
          record(f, q.initializers(t), q);
          gathers++;
        }
        return q.node(
            n.getName().isEmpty() ? "" : n.getName() + "_Q4", n.getInput(1), n.getOutput(0), t, 0);
      }
      return n;
    }

    private void plan(Found f) {
      if (weights.add(f.scope.id + "/" + f.tensor.getName())) {
        bytes += Tensors.dataSize(f.tensor);
      }
    }

    private void record(Found f, List<TensorProto> inits, Object q) {
      String w = f.tensor.getName();
      f.scope.done.put(w, q);
      f.scope.added.addAll(inits);
      f.scope.replaced.add(w);
      quantized++;
      added += inits.size();
      meter.itemDone(w, Tensors.dataSize(f.tensor));
    }

    /** The 2-D fp32/fp16 initializer called {@code name}, innermost graph first, or null. */
    Found weight(String name) {
      for (Scope s : stack) {
        TensorProto t = s.initializers.get(name);
        if (t != null) {
          boolean typeOk =
              t.getDataType() == DataType.FLOAT_VALUE || t.getDataType() == DataType.FLOAT16_VALUE;
          boolean shapeOk =
              t.getDimsCount() == 2
                  && t.getDims(0) > 0
                  && t.getDims(1) > 0
                  && t.getDims(0) * t.getDims(1) <= Integer.MAX_VALUE;
          return typeOk && shapeOk ? new Found(s, t) : null;
        }
        if (s.shadows(name)) {
          return null;
        }
      }
      return null;
    }
  }

  private static void collectInputs(List<NodeProto> nodes, Set<String> used) {
    for (NodeProto n : nodes) {
      used.addAll(n.getInputList());
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG()) {
          collectInputs(a.getG().getNodeList(), used);
          for (ValueInfoProto o : a.getG().getOutputList()) {
            used.add(o.getName());
          }
        }
        for (GraphProto g : a.getGraphsList()) {
          collectInputs(g.getNodeList(), used);
          for (ValueInfoProto o : g.getOutputList()) {
            used.add(o.getName());
          }
        }
      }
    }
  }

  private record Found(Scope scope, TensorProto tensor) {}

  /** One graph being processed: its initializers and what was done to them. */
  private static final class Scope {
    final int id;
    final Map<String, TensorProto> initializers = new HashMap<>();
    final Set<String> inputsAndOutputs = new HashSet<>();
    final Map<String, Object> done = new HashMap<>();
    final List<TensorProto> added = new ArrayList<>();
    final Set<String> replaced = new LinkedHashSet<>();

    Scope(GraphProto g, int id) {
      this.id = id;
      for (TensorProto t : g.getInitializerList()) {
        initializers.put(t.getName(), t);
      }
      for (ValueInfoProto v : g.getInputList()) {
        if (!initializers.containsKey(v.getName())) {
          inputsAndOutputs.add(v.getName());
        }
      }
      for (NodeProto n : g.getNodeList()) {
        inputsAndOutputs.addAll(n.getOutputList());
      }
    }

    /**
     * True if this graph defines {@code name} itself (an input or a node output), hiding outer
     * ones.
     */
    boolean shadows(String name) {
      return inputsAndOutputs.contains(name);
    }
  }
}
