package dev.edgellm.hub;

import dev.edgellm.util.UserErrorException;

/**
 * A Hub id cannot be resolved: the repository, revision or file does not exist, access is denied,
 * the Hub cannot be reached, the cache lacks what an offline build needs, or a downloaded file is
 * corrupted. The message names the id and the fix; it never holds the token.
 */
public class HubException extends UserErrorException {
  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
