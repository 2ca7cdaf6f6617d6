package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.util.Reporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuantizationPassTest {

  /**
   * One square initializer read by a Gather (first) and a MatMul: it is quantized once, for the
   * Gather; the MatMul keeps reading the float weight, which therefore stays.
   */
  @Test
  void aWeightQuantizedForAGatherStaysFloatForAMatMul() throws Exception {
    int d = 32;
    TensorProto w = Tensors.floats("W", new long[] {d, d}, SubgraphAndFp16Test.random(d * d, 3));
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(21))
            .setGraph(
                GraphProto.newBuilder()
                    .setName("shared")
                    .addInitializer(w)
                    .addNode(node("Gather", "gather", "W", "ids", "h"))
                    .addNode(node("MatMul", "mm", "h", "W", "y")))
            .build();
    QuantizeRequest req = QuantizeRequest.of(Path.of("in"), Path.of("out")).withEmbeddings(true);
    QuantizationPass.Outcome o = QuantizationPass.apply(m, req, Reporter.silent());
    GraphProto g = o.model().getGraph();
    assertThat(o.quantized()).isEqualTo(1);
    assertThat(g.getNodeList())
        .extracting(NodeProto::getName, NodeProto::getOpType)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("gather_Q4", "GatherBlockQuantized"),
            org.assertj.core.groups.Tuple.tuple("mm", "MatMul"));
    assertThat(g.getInitializerList())
        .extracting(TensorProto::getName)
        .containsExactly("W", "W_Q4", "W_scales");
  }

  private static NodeProto node(String op, String name, String a, String b, String out) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(name)
        .addInput(a)
        .addInput(b)
        .addOutput(out)
        .build();
  }
}
