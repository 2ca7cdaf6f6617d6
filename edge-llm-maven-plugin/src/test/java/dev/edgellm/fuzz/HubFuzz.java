package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#HUB}. */
public final class HubFuzz {
  private HubFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.HUB.fuzz(data);
  }
}
