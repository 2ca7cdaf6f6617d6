package dev.edgellm.validate;

/**
 * {@code tokenizer.vocab-size}: every id the tokenizer can produce is a row of the model's
 * embedding (size <= vocab_size).
 */
final class VocabSizeCheck implements Check {
  @Override
  public String id() {
    return "tokenizer.vocab-size";
  }

  @Override
  public String title() {
    return "Tokenizer fits the model's vocabulary";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    Vocabulary vocab = ctx.vocabulary();
    int vocabSize = ctx.json("config.json").path("vocab_size").asInt(-1);
    if (vocabSize <= 0) {
      vocabSize = ctx.dims().vocabSize();
    }
    out.detail("tokenizer", vocab.size());
    out.detail("vocabSize", vocabSize);
    if (vocab.size() > vocabSize) {
      out.error(
          "tokenizer.json",
          "tokenizer.json has ids up to "
              + (vocab.size() - 1)
              + " but config.json's vocab_size is "
              + vocabSize
              + ": those tokens index past the embedding table",
          "Use the tokenizer of the checkpoint the model was exported from");
    }
  }
}
