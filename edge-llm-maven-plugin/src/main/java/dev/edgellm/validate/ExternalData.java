package dev.edgellm.validate;

import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.SparseTensorProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds tensors whose bytes live in a separate file ({@code data_location: EXTERNAL}) anywhere in a
 * model: initializers, sparse initializers and tensor attributes of nodes, in subgraphs too.
 * Browsers cannot mount such files, so a browser model must have none.
 */
public final class ExternalData {
  private ExternalData() {}

  /** One tensor kept outside the model file. */
  public record Reference(String tensor, String location) {}

  /** Every external reference, in graph order. */
  public static List<Reference> references(ModelProto model) {
    List<Reference> found = new ArrayList<>();
    visit(model.getGraph(), found);
    return found;
  }

  private static void visit(GraphProto graph, List<Reference> found) {
    for (TensorProto t : graph.getInitializerList()) {
      check(t, found);
    }
    for (SparseTensorProto s : graph.getSparseInitializerList()) {
      check(s.getValues(), found);
      check(s.getIndices(), found);
    }
    for (NodeProto node : graph.getNodeList()) {
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasT()) {
          check(a.getT(), found);
        }
        for (TensorProto t : a.getTensorsList()) {
          check(t, found);
        }
        if (a.hasG()) {
          visit(a.getG(), found);
        }
        for (GraphProto g : a.getGraphsList()) {
          visit(g, found);
        }
      }
    }
  }

  private static void check(TensorProto t, List<Reference> found) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      String location = "";
      for (StringStringEntryProto e : t.getExternalDataList()) {
        if ("location".equals(e.getKey())) {
          location = e.getValue();
        }
      }
      found.add(new Reference(t.getName(), location));
    }
  }
}
