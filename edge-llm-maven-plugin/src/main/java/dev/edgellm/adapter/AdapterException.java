package dev.edgellm.adapter;

import dev.edgellm.util.UserErrorException;

/**
 * The adapter folder is not usable with this base checkpoint: an unknown layout, a tensor that
 * matches no base weight, a shape or rank that disagrees, an unsupported fine-tuning type. The
 * message names the file and key and says how to fix it.
 */
public class AdapterException extends UserErrorException {
  private static final long serialVersionUID = 1L;

  public AdapterException(String message) {
    super(message);
  }
}
