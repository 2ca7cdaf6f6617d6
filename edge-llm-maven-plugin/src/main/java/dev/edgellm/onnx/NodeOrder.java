package dev.edgellm.onnx;

import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Orders of a graph's nodes. */
public final class NodeOrder {
  private NodeOrder() {}

  /**
   * Orders the graph's nodes as onnxruntime's quantizer does when it saves (its {@code
   * ONNXModel.topological_sort}), so that our file matches its file byte for byte: nodes without
   * inputs first, then nodes made ready by initializers and graph inputs taken in sorted name
   * order, then breadth-first by outputs. Any valid order would do for running the model; if the
   * graph is not a DAG of known names the order is left as it is. Subgraphs are not reordered.
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
    Collections.sort(names);
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
}
