package dev.edgellm.validate;

/**
 * {@code tokenizer.loads}: tokenizer.json has a model of a known type with a non-empty vocabulary.
 */
final class TokenizerLoadsCheck implements Check {
  @Override
  public String id() {
    return "tokenizer.loads";
  }

  @Override
  public String title() {
    return "tokenizer.json loads";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    ctx.json("tokenizer.json");
    String error = ctx.vocabularyError();
    if (error != null) {
      out.error(
          "tokenizer.json",
          error,
          "Copy tokenizer.json from the base model (Transformers.js needs the fast-tokenizer file)");
      return;
    }
    Vocabulary v = ctx.vocabulary();
    out.detail("model", v.modelType());
    out.detail("size", v.size());
    out.detail("addedTokens", v.addedTokens());
    out.detail("style", v.style().name().toLowerCase(java.util.Locale.ROOT));
  }
}
