package dev.edgellm.graph;

import dev.edgellm.util.InFlight;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Off-heap room for converted weights: regions of a memory-mapped scratch file beside the output,
 * so an export of a model larger than the heap keeps only page cache, never a second heap copy.
 * Small regions stay on the heap. The file is deleted on {@link #close()}.
 *
 * <p>Each scratch space has a file of its own ({@code .<target>.<random>.scratch}, created new,
 * never truncated), so two runs beside the same output never map the same file; each region's disk
 * space is written (reserved) before it is mapped, so a full disk fails as an {@link IOException}
 * naming the file, not as a fault in mapped memory.
 */
public final class Scratch implements AutoCloseable {
  /** Regions smaller than this are plain heap buffers. */
  static final int HEAP_LIMIT = 1 << 20;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SUFFIX = ".scratch";

  private final Path dir;
  private final String targetName;
  private Path file;
  private FileChannel channel;
  private long end;

  private Scratch(Path dir, String targetName) {
    this.dir = dir;
    this.targetName = targetName;
  }

  /**
   * A scratch space whose file (created on first use) lies beside {@code target}, named {@code
   * .<target name>.<random>.scratch}.
   */
  public static Scratch beside(Path target) {
    Path abs = target.toAbsolutePath();
    return new Scratch(abs.getParent(), abs.getFileName().toString());
  }

  /** A scratch space that keeps everything on the heap. */
  public static Scratch onHeap() {
    return new Scratch(null, null);
  }

  /**
   * Whether {@code fileName} is a scratch file of a target named {@code targetName} (one left by a
   * killed run is stale; {@code .<target>.scratch} is the single name older versions used).
   */
  public static boolean isScratchOf(String fileName, String targetName) {
    if (fileName.equals("." + targetName + SUFFIX)) {
      return true;
    }
    String prefix = "." + targetName + ".";
    if (!fileName.startsWith(prefix)
        || !fileName.endsWith(SUFFIX)
        || fileName.length() <= prefix.length() + SUFFIX.length()) {
      return false;
    }
    String middle = fileName.substring(prefix.length(), fileName.length() - SUFFIX.length());
    return middle.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
  }

  /** The scratch file, or null while none has been created. */
  public synchronized Path file() {
    return file;
  }

  /** A zeroed little-endian buffer of {@code bytes} bytes. */
  public synchronized ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a single tensor over 2 GiB: " + bytes + " bytes");
    }
    if (dir == null || bytes < HEAP_LIMIT) {
      return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    try {
      if (channel == null) {
        open();
      }
      long length = (bytes + 4095) & ~4095L;
      reserve(end, length);
      ByteBuffer b =
          channel.map(FileChannel.MapMode.READ_WRITE, end, bytes).order(ByteOrder.LITTLE_ENDIAN);
      end += length;
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot reserve " + bytes + " bytes of scratch space in " + file + ": " + e.getMessage(),
          e);
    }
  }

  private void open() throws IOException {
    Files.createDirectories(dir);
    while (true) {
      Path f =
          dir.resolve(
              "."
                  + targetName
                  + "."
                  + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36)
                  + SUFFIX);
      try {
        channel =
            FileChannel.open(
                f,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        file = f;
        InFlight.add(f);
        return;
      } catch (FileAlreadyExistsException e) {
        // try another name
      }
    }
  }

  /**
   * Writes zeros over {@code [from, from + length)}, so the file system allocates the blocks now (a
   * sparse region would fault when first written through the mapping on a full disk).
   */
  private void reserve(long from, long length) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
    long pos = from;
    long stop = from + length;
    while (pos < stop) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), stop - pos));
      while (zeros.hasRemaining()) {
        pos += channel.write(zeros, pos);
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      if (file != null) {
        Files.deleteIfExists(file);
        InFlight.remove(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete scratch file " + file, e);
    }
  }
}
