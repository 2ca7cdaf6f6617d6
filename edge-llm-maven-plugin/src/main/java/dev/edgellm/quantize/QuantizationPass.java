package dev.edgellm.quantize;

import dev.edgellm.onnx.ModelTensors;
import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.NodeOrder;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
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
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The quantization pass, in memory (no files): replaces every {@code MatMul} whose B is a 2-D
 * fp32/fp16 initializer (in subgraphs too) by {@code com.microsoft.MatMulNBits}, and, if asked,
 * every axis-0 {@code Gather} over such an initializer by {@code
 * com.microsoft.GatherBlockQuantized} (see {@link QuantizedWeight}); orders the main graph's nodes
 * as onnxruntime does and sets the opset imports it sets. A weight used by several nodes is
 * quantized once; a replaced weight is removed once no node uses it. Other nodes are left as they
 * are.
 */
public final class QuantizationPass {

  /** The quantized model and its counts. */
  public record Outcome(ModelProto model, int quantized, int left) {}

  /** The kinds of node the pass replaces, and which of their inputs is the weight. */
  private enum Kind {
    MATMUL(1),
    GATHER(0);

    final int weightInput;

    Kind(int weightInput) {
      this.weightInput = weightInput;
    }
  }

  private final QuantizeRequest req;
  private final ProgressMeter meter;
  private final Deque<Scope> stack = new ArrayDeque<>();
  private final Set<String> weights = new LinkedHashSet<>();
  private final List<Keep.Candidate> candidates = new ArrayList<>();
  private Set<String> eightBit = Set.of();
  private long bytes;
  private long gatherBytes4;
  private int scopes;
  private int quantized;
  private int gathers;
  private int added;

  /** One traversal of the model's graphs; with a null meter it only plans. */
  private QuantizationPass(QuantizeRequest req, ProgressMeter meter) {
    this.req = req;
    this.meter = meter;
  }

  /**
   * Quantizes {@code model}. Tensor data must be inline, as {@link OnnxModel#read} provides it.
   * Input and output of the request are ignored; its block size, symmetry, accuracy level, excluded
   * nodes and embeddings flag apply (the block size must be valid).
   */
  public static Outcome apply(ModelProto model, QuantizeRequest req, Reporter reporter)
      throws OnnxFormatException {
    // pass 1: find the weights, for the progress log
    QuantizationPass plan = new QuantizationPass(req, null);
    plan.graph(model.getGraph());
    ProgressMeter meter =
        new ProgressMeter(reporter, "quantize", plan.weights.size(), plan.bytes, 2000);
    // pass 2: quantize
    QuantizationPass pass = new QuantizationPass(req, meter);
    long otherBytes = otherBytes(model, plan);
    pass.eightBit = req.keep().choose(plan.candidates, otherBytes);
    if (!plan.candidates.isEmpty()) {
      reporter.info(Keep.describe(pass.eightBit, plan.candidates, otherBytes));
    }
    GraphProto graph = pass.graph(model.getGraph());
    if (pass.quantized > 0) {
      graph = NodeOrder.onnxruntimeOrder(graph);
    }
    ModelProto.Builder mb = model.toBuilder().setGraph(graph);
    if (pass.quantized > 0) {
      setOpset(mb, NodeBuilder.MS_DOMAIN, 1, false);
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
   * The bytes the quantized model will hold besides its MatMul weights: the graph itself (nodes,
   * names: the file less its tensors' data), every tensor the pass leaves as it is, and the 4-bit
   * tables of the quantized Gathers.
   */
  private static long otherBytes(ModelProto model, QuantizationPass plan) {
    long[] inline = {0};
    try {
      ModelTensors.forEach(model, (t, where) -> inline[0] += t.getRawData().size());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    long graph = Math.max(0, model.getSerializedSize() - inline[0]);
    return graph + Math.max(0, inline[0] - plan.bytes) + plan.gatherBytes4;
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

  private GraphProto graph(GraphProto g) throws OnnxFormatException {
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
  private NodeProto subgraphs(NodeProto n) throws OnnxFormatException {
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

  /** The kind of replacement {@code n} is eligible for, or null. */
  private Kind kind(NodeProto n) {
    if (req.excludeNodes().contains(n.getName())
        || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
        || n.getInputCount() != 2) {
      return null;
    }
    if (n.getOpType().equals("MatMul")) {
      return Kind.MATMUL;
    }
    if (req.embeddings() && n.getOpType().equals("Gather")) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.getName().equals("axis") && a.getI() != 0) {
          return null;
        }
      }
      return Kind.GATHER;
    }
    return null;
  }

  private NodeProto node(NodeProto n) throws OnnxFormatException {
    Kind kind = kind(n);
    Found f = kind == null ? null : weight(n.getInput(kind.weightInput));
    if (f == null) {
      return n;
    }
    String w = f.tensor.getName();
    QuantizedWeight q = f.scope.done.get(w);
    if (q == null) {
      if (meter == null) {
        plan(kind, f);
        return n;
      }
      q = quantize(kind, f.tensor);
      record(f, q);
    } else if (kind != kindOf(q)) {
      return n; // quantized for the other kind of node: this one keeps reading the float weight
    }
    return q.replacing(n, w, req.accuracyLevel());
  }

  private static Kind kindOf(QuantizedWeight q) {
    return q instanceof MatMulNBitsWeight ? Kind.MATMUL : Kind.GATHER;
  }

  private QuantizedWeight quantize(Kind kind, TensorProto t) throws OnnxFormatException {
    WeightSource src =
        WeightSource.of(Tensors.data(t), t.getDataType(), (int) t.getDims(0), (int) t.getDims(1));
    if (kind == Kind.MATMUL && eightBit.contains(t.getName())) {
      return Int8Blocks.quantizeKxN(src, Int8Blocks.blockSizeFor(src.rows()), true);
    }
    if (kind == Kind.MATMUL) {
      return req.method().quantizeKxN(src, req.blockSize(), req.symmetric(), true);
    }
    gathers++;
    return req.method().quantizeTable(src, req.blockSize(), req.symmetric(), true);
  }

  private void plan(Kind kind, Found f) {
    if (weights.add(f.scope.id + "/" + f.tensor.getName())) {
      bytes += Tensors.dataSize(f.tensor);
      TensorProto t = f.tensor;
      if (kind == Kind.MATMUL) {
        candidates.add(new Keep.Candidate(t.getName(), (int) t.getDims(0), (int) t.getDims(1)));
      } else {
        gatherBytes4 +=
            Keep.bytes4(new Keep.Candidate(t.getName(), (int) t.getDims(1), (int) t.getDims(0)));
      }
    }
  }

  private void record(Found f, QuantizedWeight q) {
    String w = f.tensor.getName();
    List<TensorProto> inits = q.initializers(w);
    f.scope.done.put(w, q);
    f.scope.added.addAll(inits);
    f.scope.replaced.add(w);
    quantized++;
    added += inits.size();
    meter.itemDone(w, Tensors.dataSize(f.tensor));
  }

  /** The 2-D fp32/fp16 initializer called {@code name}, innermost graph first, or null. */
  private Found weight(String name) {
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
    final Map<String, QuantizedWeight> done = new HashMap<>();
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

    /** True if this graph defines {@code name} itself (an input or a node output), hiding it. */
    boolean shadows(String name) {
      return inputsAndOutputs.contains(name);
    }
  }
}
