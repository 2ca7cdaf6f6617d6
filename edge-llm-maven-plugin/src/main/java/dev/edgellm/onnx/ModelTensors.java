package dev.edgellm.onnx;

import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.FunctionProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.SparseTensorProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TrainingInfoProto;
import java.io.IOException;

/**
 * Visits or rewrites every tensor of a model, wherever it sits: graph initializers and sparse
 * initializers, tensor attributes of nodes ({@code Constant}'s {@code value}, ...), subgraphs of
 * {@code If}/{@code Loop}/{@code Scan} nodes, functions and training info, recursively.
 */
public final class ModelTensors {
  private ModelTensors() {}

  /**
   * Called for each tensor; {@code where} names its place, e.g. {@code graph main, initializer}.
   */
  @FunctionalInterface
  public interface TensorVisitor {
    void visit(TensorProto tensor, String where) throws OnnxFormatException, IOException;
  }

  /** Returns the tensor to keep in place of {@code tensor} (the same instance if unchanged). */
  @FunctionalInterface
  public interface TensorRewriter {
    TensorProto rewrite(TensorProto tensor, String where) throws OnnxFormatException, IOException;
  }

  /** Calls {@code visitor} for every tensor of the model, in file order. */
  public static void forEach(ModelProto model, TensorVisitor visitor)
      throws OnnxFormatException, IOException {
    if (model.hasGraph()) {
      visitGraph(model.getGraph(), visitor);
    }
    for (FunctionProto f : model.getFunctionsList()) {
      for (NodeProto n : f.getNodeList()) {
        visitNode(n, "function " + f.getName(), visitor);
      }
    }
    for (TrainingInfoProto ti : model.getTrainingInfoList()) {
      if (ti.hasInitialization()) {
        visitGraph(ti.getInitialization(), visitor);
      }
      if (ti.hasAlgorithm()) {
        visitGraph(ti.getAlgorithm(), visitor);
      }
    }
  }

  private static void visitGraph(GraphProto g, TensorVisitor v)
      throws OnnxFormatException, IOException {
    String where = "graph " + g.getName();
    for (TensorProto t : g.getInitializerList()) {
      v.visit(t, where + ", initializer");
    }
    for (SparseTensorProto s : g.getSparseInitializerList()) {
      visitSparse(s, where + ", sparse initializer", v);
    }
    for (NodeProto n : g.getNodeList()) {
      visitNode(n, where, v);
    }
  }

  private static void visitNode(NodeProto n, String where, TensorVisitor v)
      throws OnnxFormatException, IOException {
    for (AttributeProto a : n.getAttributeList()) {
      String at = where + ", node " + n.getName() + " attribute " + a.getName();
      if (a.hasT()) {
        v.visit(a.getT(), at);
      }
      for (TensorProto t : a.getTensorsList()) {
        v.visit(t, at);
      }
      if (a.hasSparseTensor()) {
        visitSparse(a.getSparseTensor(), at, v);
      }
      for (SparseTensorProto s : a.getSparseTensorsList()) {
        visitSparse(s, at, v);
      }
      if (a.hasG()) {
        visitGraph(a.getG(), v);
      }
      for (GraphProto g : a.getGraphsList()) {
        visitGraph(g, v);
      }
    }
  }

  private static void visitSparse(SparseTensorProto s, String where, TensorVisitor v)
      throws OnnxFormatException, IOException {
    if (s.hasValues()) {
      v.visit(s.getValues(), where);
    }
    if (s.hasIndices()) {
      v.visit(s.getIndices(), where);
    }
  }

  /**
   * Returns a copy of the model in which every tensor is replaced by what {@code rewriter} returns.
   * Tensor data ({@code ByteString}s) is shared, not copied.
   */
  public static ModelProto rewrite(ModelProto model, TensorRewriter rewriter)
      throws OnnxFormatException, IOException {
    ModelProto.Builder b = model.toBuilder();
    if (b.hasGraph()) {
      b.setGraph(rewriteGraph(b.getGraph(), rewriter));
    }
    for (int i = 0; i < b.getFunctionsCount(); i++) {
      FunctionProto f = b.getFunctions(i);
      FunctionProto.Builder fb = f.toBuilder();
      for (int j = 0; j < fb.getNodeCount(); j++) {
        fb.setNode(j, rewriteNode(fb.getNode(j), "function " + f.getName(), rewriter));
      }
      b.setFunctions(i, fb.build());
    }
    for (int i = 0; i < b.getTrainingInfoCount(); i++) {
      TrainingInfoProto.Builder tb = b.getTrainingInfo(i).toBuilder();
      if (tb.hasInitialization()) {
        tb.setInitialization(rewriteGraph(tb.getInitialization(), rewriter));
      }
      if (tb.hasAlgorithm()) {
        tb.setAlgorithm(rewriteGraph(tb.getAlgorithm(), rewriter));
      }
      b.setTrainingInfo(i, tb.build());
    }
    return b.build();
  }

  /** Like {@link #rewrite(ModelProto, TensorRewriter)} for one graph and its subgraphs. */
  public static GraphProto rewriteGraph(GraphProto g, TensorRewriter r)
      throws OnnxFormatException, IOException {
    String where = "graph " + g.getName();
    GraphProto.Builder gb = g.toBuilder();
    for (int i = 0; i < gb.getInitializerCount(); i++) {
      TensorProto t = gb.getInitializer(i);
      TensorProto nt = r.rewrite(t, where + ", initializer");
      if (nt != t) {
        gb.setInitializer(i, nt);
      }
    }
    for (int i = 0; i < gb.getSparseInitializerCount(); i++) {
      gb.setSparseInitializer(
          i, rewriteSparse(gb.getSparseInitializer(i), where + ", sparse initializer", r));
    }
    for (int i = 0; i < gb.getNodeCount(); i++) {
      NodeProto n = gb.getNode(i);
      NodeProto nn = rewriteNode(n, where, r);
      if (nn != n) {
        gb.setNode(i, nn);
      }
    }
    return gb.build();
  }

  /** Whether attribute {@code a} holds tensors or graphs (that may hold tensors). */
  static boolean mayHoldTensors(AttributeProto a) {
    return a.hasT()
        || a.getTensorsCount() > 0
        || a.hasG()
        || a.getGraphsCount() > 0
        || a.hasSparseTensor()
        || a.getSparseTensorsCount() > 0;
  }

  private static NodeProto rewriteNode(NodeProto n, String where, TensorRewriter r)
      throws OnnxFormatException, IOException {
    if (n.getAttributeList().stream().noneMatch(ModelTensors::mayHoldTensors)) {
      return n;
    }
    NodeProto.Builder nb = n.toBuilder();
    for (int i = 0; i < nb.getAttributeCount(); i++) {
      AttributeProto a = nb.getAttribute(i);
      String at = where + ", node " + n.getName() + " attribute " + a.getName();
      AttributeProto.Builder ab = a.toBuilder();
      if (ab.hasT()) {
        ab.setT(r.rewrite(ab.getT(), at));
      }
      for (int j = 0; j < ab.getTensorsCount(); j++) {
        ab.setTensors(j, r.rewrite(ab.getTensors(j), at));
      }
      if (ab.hasSparseTensor()) {
        ab.setSparseTensor(rewriteSparse(ab.getSparseTensor(), at, r));
      }
      for (int j = 0; j < ab.getSparseTensorsCount(); j++) {
        ab.setSparseTensors(j, rewriteSparse(ab.getSparseTensors(j), at, r));
      }
      if (ab.hasG()) {
        ab.setG(rewriteGraph(ab.getG(), r));
      }
      for (int j = 0; j < ab.getGraphsCount(); j++) {
        ab.setGraphs(j, rewriteGraph(ab.getGraphs(j), r));
      }
      nb.setAttribute(i, ab.build());
    }
    return nb.build();
  }

  private static SparseTensorProto rewriteSparse(
      SparseTensorProto s, String where, TensorRewriter r) throws OnnxFormatException, IOException {
    SparseTensorProto.Builder sb = s.toBuilder();
    if (sb.hasValues()) {
      sb.setValues(r.rewrite(sb.getValues(), where));
    }
    if (sb.hasIndices()) {
      sb.setIndices(r.rewrite(sb.getIndices(), where));
    }
    return sb.build();
  }
}
