package dev.edgellm.fuzz;

/** Jazzer fuzz target: {@link Readers#TOKENIZER_CONFIG}. */
public final class TokenizerConfigFuzz {
  private TokenizerConfigFuzz() {}

  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    Readers.TOKENIZER_CONFIG.fuzz(data);
  }
}
