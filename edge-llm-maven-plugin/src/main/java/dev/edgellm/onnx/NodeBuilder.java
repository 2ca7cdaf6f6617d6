package dev.edgellm.onnx;

import com.google.protobuf.ByteString;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.NodeProto;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one ONNX node builder: {@code NodeBuilder.op("MatMul", "/l0/q/MatMul").in(x, w).build("y")}
 * makes a {@link NodeProto}; a graph builder hands out builders bound to its graph, whose {@link
 * #out()} adds the node and returns its output name. Name and domain are written only when set,
 * attributes in the order they are added ({@link #sortedInts} for onnx.helper.make_node's order).
 */
public final class NodeBuilder {
  /** The domain of onnxruntime's contrib ops. */
  public static final String MS_DOMAIN = "com.microsoft";

  private final NodeProto.Builder node = NodeProto.newBuilder();
  private final Consumer<NodeProto> sink;
  private final FloatCheck floatCheck;

  /** Checks a float attribute before it is written (a graph refuses non-finite constants). */
  @FunctionalInterface
  public interface FloatCheck {
    /** Throws when {@code value}, element {@code index} of {@code name}, is not acceptable. */
    void check(String name, int index, float value);
  }

  private NodeBuilder(String opType, String name, Consumer<NodeProto> sink, FloatCheck floatCheck) {
    node.setOpType(opType);
    if (name != null && !name.isEmpty()) {
      node.setName(name);
    }
    this.sink = sink;
    this.floatCheck = floatCheck;
  }

  /** A node of the default (ONNX) domain; {@code name} may be null for an unnamed node. */
  public static NodeBuilder op(String opType, String name) {
    return new NodeBuilder(opType, name, null, null);
  }

  /**
   * A node that {@link #out()} and its siblings add to {@code sink}, its float attributes passed
   * through {@code floatCheck} first.
   */
  public static NodeBuilder op(
      String opType, String name, Consumer<NodeProto> sink, FloatCheck floatCheck) {
    return new NodeBuilder(opType, name, sink, floatCheck);
  }

  /** Puts the node in the com.microsoft domain. */
  public NodeBuilder ms() {
    return domain(MS_DOMAIN);
  }

  /** Puts the node in {@code domain} ({@code ""} or null: the default domain, not written). */
  public NodeBuilder domain(String domain) {
    if (domain != null && !domain.isEmpty()) {
      node.setDomain(domain);
    }
    return this;
  }

  /** Inputs, in order; {@code ""} for an omitted optional input. */
  public NodeBuilder in(String... inputs) {
    return in(List.of(inputs));
  }

  public NodeBuilder in(List<String> inputs) {
    node.addAllInput(inputs);
    return this;
  }

  public NodeBuilder attr(String name, long value) {
    node.addAttribute(
        AttributeProto.newBuilder()
            .setName(name)
            .setI(value)
            .setType(AttributeProto.AttributeType.INT));
    return this;
  }

  public NodeBuilder attr(String name, float value) {
    if (floatCheck != null) {
      floatCheck.check(node.getName() + "." + name, 0, value);
    }
    node.addAttribute(
        AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeProto.AttributeType.FLOAT)
            .setF(value));
    return this;
  }

  public NodeBuilder attr(String name, String value) {
    node.addAttribute(
        AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeProto.AttributeType.STRING)
            .setS(ByteString.copyFromUtf8(value)));
    return this;
  }

  public NodeBuilder attr(String name, long[] values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    node.addAttribute(a);
    return this;
  }

  /** INT attributes sorted by name, as onnx.helper.make_node writes its keyword arguments. */
  public NodeBuilder sortedInts(Map<String, Long> attributes) {
    new TreeMap<>(attributes).forEach(this::attr);
    return this;
  }

  /** The node with the given output names. */
  public NodeProto build(String... outputs) {
    for (String o : outputs) {
      node.addOutput(o);
    }
    return node.build();
  }

  /** Adds the node with one output named {@code <node name>/output_0}; returns that name. */
  public String out() {
    return outs(1)[0];
  }

  /** Adds the node with the given output names ({@code ""} for an unused optional output). */
  public String[] outNamed(String... names) {
    if (sink == null) {
      throw new IllegalStateException("not bound to a graph: use build()");
    }
    sink.accept(build(names));
    return names;
  }

  /** Adds the node with {@code n} outputs named {@code <node name>/output_i}. */
  public String[] outs(int n) {
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = node.getName() + "/output_" + i;
    }
    return outNamed(names);
  }
}
