package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#CONFIG}. */
public final class ConfigFuzz {
  private ConfigFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.CONFIG.fuzz(data);
  }
}
