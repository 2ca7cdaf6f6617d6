package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#ADAPTER_CONFIG}. */
public final class AdapterConfigFuzz {
  private AdapterConfigFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.ADAPTER_CONFIG.fuzz(data);
  }
}
