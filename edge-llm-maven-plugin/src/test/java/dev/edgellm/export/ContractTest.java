package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exported decoder has the inputs, outputs, opsets and operators Transformers.js 4.x and WebGPU
 * expect.
 */
class ContractTest {
  @TempDir Path tmp;

  /**
   * Operators onnxruntime-web's WebGPU provider runs (the small int64 mask ops may fall back to
   * CPU).
   */
  static final Set<String> ALLOWED =
      Set.of(
          "GroupQueryAttention",
          "MatMul",
          "MatMulNBits",
          "SimplifiedLayerNormalization",
          "SkipSimplifiedLayerNormalization",
          "Gather",
          "GatherBlockQuantized",
          "FastGelu",
          "Gelu",
          "Sigmoid",
          "Mul",
          "Add",
          "Sub",
          "Div",
          "Tanh",
          "Reshape",
          "ReduceSum",
          "Cast",
          "Shape",
          "Range",
          "Unsqueeze",
          "Cos",
          "Sin",
          "Neg",
          "Slice");

  @ParameterizedTest
  @CsvSource({
    "tiny-gemma3,FP32",
    "tiny-gemma3,Q4",
    "tiny-llama,FP32",
    "tiny-llama,Q4",
    "tiny-qwen3,Q4"
  })
  void decoderContract(String name, Precision precision) throws Exception {
    Path file =
        new Exporter(Reporter.silent())
            .export(
                new ExportRequest(
                    Fixtures.tiny(name), tmp.resolve("out"), precision, Embeddings.SHARED))
            .model();
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
    assertThat(m.getIrVersion()).isEqualTo(10);
    assertThat(m.getOpsetImportList())
        .extracting(OperatorSetIdProto::getDomain, OperatorSetIdProto::getVersion)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("", 21L),
            org.assertj.core.groups.Tuple.tuple("com.microsoft", 1L));
    int layers = name.equals("tiny-gemma3") ? 4 : 3;
    int kv = name.equals("tiny-gemma3") ? 1 : 2;
    int hd = name.equals("tiny-qwen3") ? 32 : 16;

    List<String> inputs = new ArrayList<>(List.of("input_ids", "attention_mask", "position_ids"));
    List<String> outputs = new ArrayList<>(List.of("logits"));
    for (int i = 0; i < layers; i++) {
      inputs.add("past_key_values." + i + ".key");
      inputs.add("past_key_values." + i + ".value");
      outputs.add("present." + i + ".key");
      outputs.add("present." + i + ".value");
    }
    inputs.add("num_logits_to_keep");
    assertThat(m.getGraph().getInputList())
        .extracting(ValueInfoProto::getName)
        .containsExactlyElementsOf(inputs);
    assertThat(m.getGraph().getOutputList())
        .extracting(ValueInfoProto::getName)
        .containsExactlyElementsOf(outputs);
    assertThat(shape(m.getGraph().getInput(0))).containsExactly("batch_size", "sequence_length");
    assertThat(type(m.getGraph().getInput(0))).isEqualTo(TensorProto.DataType.INT64_VALUE);
    assertThat(shape(m.getGraph().getInput(1)))
        .containsExactly("batch_size", "total_sequence_length");
    assertThat(type(m.getGraph().getInput(2))).isEqualTo(TensorProto.DataType.INT64_VALUE);
    assertThat(shape(m.getGraph().getInput(3)))
        .containsExactly("batch_size", "" + kv, "past_sequence_length", "" + hd);
    assertThat(type(m.getGraph().getInput(3))).isEqualTo(TensorProto.DataType.FLOAT_VALUE);
    ValueInfoProto keep = m.getGraph().getInput(inputs.size() - 1);
    assertThat(type(keep)).isEqualTo(TensorProto.DataType.INT64_VALUE);
    assertThat(shape(keep)).isEmpty();
    assertThat(keep.getType().getTensorType().hasShape()).isTrue();
    assertThat(shape(m.getGraph().getOutput(0)))
        .containsExactly("batch_size", "logits_sequence_length", "512");
    assertThat(shape(m.getGraph().getOutput(1)))
        .containsExactly("batch_size", "" + kv, "total_sequence_length", "" + hd);

    Set<String> ops =
        m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
    assertThat(ALLOWED).containsAll(ops);
    assertThat(ops)
        .contains("GroupQueryAttention", precision == Precision.Q4 ? "MatMulNBits" : "MatMul");
    if (name.equals("tiny-gemma3")) {
      List<NodeProto> gqa =
          m.getGraph().getNodeList().stream()
              .filter(n -> n.getOpType().equals("GroupQueryAttention"))
              .toList();
      assertThat(gqa).hasSize(4);
      assertThat(gqa.get(0).getAttributeList())
          .anySatisfy(
              a -> {
                assertThat(a.getName()).isEqualTo("local_window_size");
                assertThat(a.getI()).isEqualTo(16);
              });
      assertThat(gqa.get(1).getAttributeList())
          .noneSatisfy(a -> assertThat(a.getName()).isEqualTo("local_window_size"));
    }
  }

  private static int type(ValueInfoProto v) {
    return v.getType().getTensorType().getElemType();
  }

  private static List<String> shape(ValueInfoProto v) {
    return v.getType().getTensorType().getShape().getDimList().stream()
        .map(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()))
        .collect(Collectors.toList());
  }
}
