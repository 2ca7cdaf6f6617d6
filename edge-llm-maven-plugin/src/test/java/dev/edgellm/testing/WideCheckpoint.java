package dev.edgellm.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;

/**
 * tiny-llama with a wider vocabulary (random F16 embedding and lm_head), so that the fp32 export
 * converts tensors of over 1 MiB through memory-mapped scratch space, as real models do.
 */
public final class WideCheckpoint {
  private WideCheckpoint() {}

  /** Writes the checkpoint into {@code dir} with {@code vocab} tokens (8192: 1 MiB F16 tables). */
  public static Path write(Path dir, int vocab) throws IOException {
    Fixtures.copy(Fixtures.tiny("tiny-llama"), dir);
    Fixtures.editConfig(dir, c -> c.put("vocab_size", vocab));
    SafetensorsWriter w = SafetensorsWriter.copyOf(dir.resolve("model.safetensors"));
    Random r = new Random(vocab);
    for (String name : new String[] {"model.embed_tokens.weight", "lm_head.weight"}) {
      ByteBuffer b = ByteBuffer.allocate(vocab * 64 * 2).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) {
        b.putShort(dev.edgellm.util.Half.floatToHalf((float) (r.nextGaussian() * 0.02)));
      }
      w.put(name, "F16", new long[] {vocab, 64}, b.array());
    }
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }
}
