package dev.edgellm.export;

/** A setting of the export request is wrong; the message says which and how to fix it. */
public class ExportException extends dev.edgellm.util.UserErrorException {
  private static final long serialVersionUID = 1L;

  public ExportException(String message) {
    super(message);
  }
}
