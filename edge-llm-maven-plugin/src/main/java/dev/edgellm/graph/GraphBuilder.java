package dev.edgellm.graph;

import com.google.protobuf.ByteString;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A small fluent helper to write ONNX graphs: {@code g.op("MatMul", "/l0/q/MatMul").in(x, w).out()}
 * adds a node and returns its output name. Small constants go straight into the graph; weights are
 * {@link LazyTensor}s whose bytes are produced while writing.
 */
public final class GraphBuilder {
  public static final String MS = "com.microsoft";

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final List<LazyTensor> lazy = new ArrayList<>();

  public GraphBuilder(String name) {
    graph.setName(name);
  }

  /** Starts a node of the default (ONNX) domain. */
  public Node op(String opType, String name) {
    return new Node(opType, name);
  }

  /**
   * Adds a node built elsewhere (e.g. by the quantizer's builders, so both write the same bytes).
   */
  public GraphBuilder add(NodeProto node) {
    graph.addNode(node);
    return this;
  }

  /** Adds an initializer built elsewhere. */
  public GraphBuilder add(TensorProto initializer) {
    graph.addInitializer(initializer);
    return this;
  }

  /** Declares a graph input; dims are numbers ({@code Long}/{@code Integer}) or symbolic names. */
  public GraphBuilder input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
    return this;
  }

  /** Declares a graph output. */
  public GraphBuilder output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(valueInfo(name, type, dims));
    return this;
  }

  /** Adds a small int64 constant initializer (shape [n], or a scalar when {@code scalar}). */
  public String int64(String name, boolean scalar, long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return raw(
        name,
        TensorProto.DataType.INT64,
        scalar ? new long[0] : new long[] {values.length},
        b.array());
  }

  /** Adds a small int32 constant initializer (shape [n], or a scalar when {@code scalar}). */
  public String int32(String name, boolean scalar, int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return raw(
        name,
        TensorProto.DataType.INT32,
        scalar ? new long[0] : new long[] {values.length},
        b.array());
  }

  /**
   * Adds a float32 constant initializer of the given shape.
   *
   * @throws CheckpointException when a value is NaN or infinite (it would come from a config.json
   *     value out of range; no graph is written with one)
   */
  public String float32(String name, long[] dims, float... values) {
    for (int i = 0; i < values.length; i++) {
      requireFinite(name, i, values[i]);
    }
    return raw(name, TensorProto.DataType.FLOAT, dims, floatBytes(values));
  }

  /** The one check every float constant of the graph passes: initializers and attributes. */
  static void requireFinite(String name, int index, float value) {
    if (!Float.isFinite(value)) {
      throw new CheckpointException(
          "the graph constant '"
              + name
              + "' would hold "
              + value
              + " at index "
              + index
              + "; a config.json value it is computed from is out of range (e.g. rope_theta,"
              + " rope_scaling factor, rms_norm_eps, a softcapping): fix config.json");
    }
  }

  private String raw(String name, TensorProto.DataType type, long[] dims, byte[] bytes) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(type.getNumber())
            .setRawData(ByteString.copyFrom(bytes));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  /** Adds a weight whose bytes are produced at write time. */
  public String lazy(
      String name,
      TensorProto.DataType type,
      long[] dims,
      long byteLength,
      Supplier<ByteString> data) {
    lazy.add(new LazyTensor(name, type.getNumber(), dims, byteLength, data));
    return name;
  }

  /**
   * The graph so far: nodes, inputs, outputs and small initializers (lazy weights not included).
   */
  public GraphProto.Builder graph() {
    return graph;
  }

  /** The lazy weights, in the order they were added. */
  public List<LazyTensor> lazyTensors() {
    return lazy;
  }

  /** float32 values as little-endian bytes. */
  public static byte[] floatBytes(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Number n) {
        dim.setDimValue(n.longValue());
      } else {
        dim.setDimParam(d.toString());
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  /** A node being built. */
  public final class Node {
    private final NodeProto.Builder node = NodeProto.newBuilder();

    private Node(String opType, String name) {
      node.setOpType(opType).setName(name);
    }

    /** Puts the node in the com.microsoft domain. */
    public Node ms() {
      node.setDomain(MS);
      return this;
    }

    /** Inputs, in order; {@code ""} for an omitted optional input. */
    public Node in(String... inputs) {
      for (String i : inputs) {
        node.addInput(i);
      }
      return this;
    }

    public Node attr(String name, long value) {
      node.addAttribute(
          AttributeProto.newBuilder()
              .setName(name)
              .setType(AttributeProto.AttributeType.INT)
              .setI(value));
      return this;
    }

    public Node attr(String name, float value) {
      requireFinite(node.getName() + "." + name, 0, value);
      node.addAttribute(
          AttributeProto.newBuilder()
              .setName(name)
              .setType(AttributeProto.AttributeType.FLOAT)
              .setF(value));
      return this;
    }

    public Node attr(String name, String value) {
      node.addAttribute(
          AttributeProto.newBuilder()
              .setName(name)
              .setType(AttributeProto.AttributeType.STRING)
              .setS(ByteString.copyFromUtf8(value)));
      return this;
    }

    public Node attr(String name, long[] values) {
      AttributeProto.Builder a =
          AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
      for (long v : values) {
        a.addInts(v);
      }
      node.addAttribute(a);
      return this;
    }

    /** Adds the node with one output named {@code <node name>/output_0}; returns that name. */
    public String out() {
      return outs(1)[0];
    }

    /** Adds the node with the given output names ({@code ""} for an unused optional output). */
    public String[] outNamed(String... names) {
      for (String n : names) {
        node.addOutput(n);
      }
      graph.addNode(node);
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
}
