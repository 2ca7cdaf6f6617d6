package dev.edgellm.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A write that failed because the disk (or the user's quota) is full, as a user error: what could
 * not be written, where, how much space is left there, and the fix. The goals that throw it have
 * written nothing under the final names (they write to temporary names and rename).
 */
public class DiskFullException extends UserErrorException {
  private static final long serialVersionUID = 1L;

  DiskFullException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code e}, or one of its causes, says that the disk or the quota is full. */
  public static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null
          && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Throws {@code e} as a {@link DiskFullException} when it is a full disk, naming {@code what}
   * (e.g. "The validation report"), the {@code folder} it goes to and the {@code setting} that
   * chooses that folder; otherwise returns {@code e} for the caller to throw.
   */
  public static IOException typed(IOException e, String what, Path folder, String setting) {
    if (!isDiskFull(e)) {
      return e;
    }
    long free = usableSpace(folder);
    throw new DiskFullException(
        what
            + " could not be written to "
            + folder.toAbsolutePath().normalize()
            + ": the disk is full ("
            + e.getMessage()
            + (free >= 0 ? String.format(Locale.ROOT, "; %.1f MB free there", free / 1e6) : "")
            + "). Nothing was left under the final file names. Free disk space there, or set "
            + setting
            + " to a folder on another disk, and run again",
        e);
  }

  /** The usable space of the disk of {@code folder} (its nearest existing parent), or -1. */
  private static long usableSpace(Path folder) {
    for (Path p = folder.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p)) {
        try {
          return Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
