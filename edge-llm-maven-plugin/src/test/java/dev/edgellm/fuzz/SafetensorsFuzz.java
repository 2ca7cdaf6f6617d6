package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#SAFETENSORS}. */
public final class SafetensorsFuzz {
  private SafetensorsFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.SAFETENSORS.fuzz(data);
  }
}
