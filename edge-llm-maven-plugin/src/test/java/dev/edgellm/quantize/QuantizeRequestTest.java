package dev.edgellm.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuantizeRequestTest {
  private static final Path IN = Path.of("in/model.onnx");
  private static final Path OUT = Path.of("out/model.onnx");

  @Test
  void eachWitherChangesItsOwnComponentOnly() {
    QuantizeRequest all =
        QuantizeRequest.of(IN, OUT)
            .withBlockSize(128)
            .withSymmetric(false)
            .withAccuracyLevel(4)
            .withExcludeNodes(Set.of("lm_head/MatMul"))
            .withEmbeddings(true)
            .withMaxOutputBytes(12_345)
            .withMethod(QuantizeMethod.RTN)
            .withKeep(Keep.NONE);
    assertEquals(
        new QuantizeRequest(
            IN,
            OUT,
            128,
            false,
            4,
            Set.of("lm_head/MatMul"),
            true,
            12_345,
            QuantizeMethod.RTN,
            Keep.NONE),
        all);
    assertEquals(
        new QuantizeRequest(
            IN,
            OUT,
            QuantizeRequest.DEFAULT_BLOCK_SIZE,
            true,
            0,
            Set.of(),
            false,
            dev.edgellm.onnx.OnnxWriter.DEFAULT_LIMIT,
            QuantizeMethod.DEFAULT,
            Keep.AUTO),
        QuantizeRequest.of(IN, OUT));
    assertEquals(64, all.withBlockSize(64).blockSize());
    assertEquals(
        new QuantizeRequest(
            IN,
            OUT,
            64,
            false,
            4,
            Set.of("lm_head/MatMul"),
            true,
            12_345,
            QuantizeMethod.RTN,
            Keep.NONE),
        all.withBlockSize(64));
  }
}
