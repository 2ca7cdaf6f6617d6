package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#ONNX}. */
public final class OnnxFuzz {
  private OnnxFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.ONNX.fuzz(data);
  }
}
