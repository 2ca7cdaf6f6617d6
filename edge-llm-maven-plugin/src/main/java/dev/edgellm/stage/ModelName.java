package dev.edgellm.stage;

import java.util.regex.Pattern;

/**
 * A model's name, the folder stage writes under {@code public/models/}: one path segment of ASCII
 * letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or a digit, not
 * ending with a dot, at most 128 characters (so never {@code ..}, a hidden name, a separator or a
 * drive letter). Hugging Face model names (e.g. {@code Qwen2.5-0.5B-Instruct}) all fit.
 */
public final class ModelName {
  /** The characters and shape a model name may have. */
  public static final String RULE =
      "one path segment of letters, digits, '.', '_' and '-', starting with a letter or digit,"
          + " not ending with '.', at most 128 characters";

  private static final Pattern SAFE =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?");

  private ModelName() {}

  /** Whether {@code name} is a safe model name. */
  public static boolean isSafe(String name) {
    return name != null && SAFE.matcher(name).matches();
  }

  /**
   * Returns {@code name} when it is safe; otherwise throws naming it, where it came from ({@code
   * source}, e.g. the property or the checkpoint folder) and the fix.
   */
  public static String check(String name, String source) throws StageException {
    if (!isSafe(name)) {
      throw new StageException(
          "The model name '"
              + name
              + "' (from "
              + source
              + ") is not a safe folder name: a model name is "
              + RULE
              + "; set edgellm.modelName to such a name (e.g. my-model)");
    }
    return name;
  }
}
