package dev.edgellm.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes files so that a failed or interrupted build never leaves a half-written file: the content
 * goes to a temporary file in the target's folder ({@code .name.tmp-<random>}), which is renamed
 * onto the target only when writing succeeded; on failure the temporary file is deleted.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Writes the content of a file into an open channel positioned at 0. */
  @FunctionalInterface
  public interface ChannelWriter {
    void write(FileChannel channel) throws IOException;
  }

  /**
   * Writes {@code target} atomically through {@code writer}. Creates missing parent folders.
   *
   * @throws IOException if writing or the rename fails (the target is then untouched)
   */
  public static void write(Path target, ChannelWriter writer) throws IOException {
    Path temp = createTemp(target);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        writer.write(ch);
      }
      moveIntoPlace(temp, target);
    } catch (IOException | RuntimeException | Error e) {
      deleteQuietly(temp, e);
      throw e;
    }
  }

  /**
   * Creates an empty temporary file next to {@code target} (creating parent folders). The caller
   * writes it and then calls {@link #moveIntoPlace}, or {@link #deleteQuietly} on failure. Use this
   * form when several files must appear together (e.g. {@code model.onnx} and its data file).
   */
  public static Path createTemp(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    // not Files.createTempFile: its files are private (0600); the output must get the usual
    // permissions (0666 less the umask), as any other file the build writes
    while (true) {
      long r = RANDOM.nextLong() & Long.MAX_VALUE;
      Path temp = dir.resolve("." + abs.getFileName() + "." + Long.toString(r, 36) + ".tmp");
      try {
        Files.createFile(temp);
        InFlight.add(temp);
        return temp;
      } catch (FileAlreadyExistsException e) {
        // try another name
      }
    }
  }

  /**
   * Whether {@code fileName} is a temporary file {@link #createTemp} made for a target named {@code
   * targetName} ({@code .<targetName>.<base36>.tmp}); one left after a kill is stale.
   */
  public static boolean isTemporaryOf(String fileName, String targetName) {
    String prefix = "." + targetName + ".";
    if (!fileName.startsWith(prefix)
        || !fileName.endsWith(".tmp")
        || fileName.length() <= prefix.length() + ".tmp".length()) {
      return false;
    }
    String middle = fileName.substring(prefix.length(), fileName.length() - ".tmp".length());
    return !middle.isEmpty()
        && middle.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
  }

  /** Renames {@code temp} onto {@code target}, atomically where the file system allows it. */
  public static void moveIntoPlace(Path temp, Path target) throws IOException {
    move(temp, target);
    InFlight.remove(temp);
  }

  /** Deletes {@code temp} if it exists, adding any failure to {@code primary} as suppressed. */
  public static void deleteQuietly(Path temp, Throwable primary) {
    try {
      Files.deleteIfExists(temp);
      InFlight.remove(temp);
    } catch (IOException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      }
    }
  }

  /** Writes {@code text} as UTF-8 to {@code target} atomically, creating parent folders. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    write(
        target,
        ch -> {
          java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            ch.write(buffer);
          }
        });
  }

  /**
   * Renames {@code from} (a file or a folder) to {@code to}, atomically where the file system
   * allows it.
   */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
