package dev.edgellm.chat;

import dev.edgellm.util.UserErrorException;

/**
 * A chat template that does not parse, uses a feature the renderer does not have, or called {@code
 * raise_exception}.
 */
public final class TemplateException extends UserErrorException {
  private static final long serialVersionUID = 1L;

  public TemplateException(String message) {
    super(message);
  }
}
