package dev.edgellm.util;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the JVM's error for a fault in memory-mapped file data ({@code InternalError: a fault
 * occurred in a recent unsafe memory access operation}: the disk filled up under a mapped sparse
 * region, or another process truncated a mapped file) into an I/O error that names the files.
 */
public final class MappedFaults {
  private MappedFaults() {}

  /** Whether {@code e} is the JVM's report of a fault on mapped memory. */
  public static boolean isMappedFault(Throwable e) {
    return e instanceof InternalError
        && e.getMessage() != null
        && e.getMessage().contains("unsafe memory access");
  }

  /**
   * Runs {@code body}; a fault on mapped memory becomes an {@link UncheckedIOException} whose
   * message names {@code files} (the files mapped during {@code body}) and the likely causes.
   */
  public static <T> T guard(String files, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (InternalError e) {
      if (!isMappedFault(e)) {
        throw e;
      }
      throw new UncheckedIOException(
          new IOException(
              "a memory-mapped file could not be read or written ("
                  + files
                  + "): the disk is full, or another process truncated or replaced the file;"
                  + " free disk space and make sure no other build writes the same files",
              e));
    }
  }
}
