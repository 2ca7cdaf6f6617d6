package dev.edgellm.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Off-heap room for converted weights: regions of a memory-mapped scratch file beside the output,
 * so an export of a model larger than the heap keeps only page cache, never a second heap copy.
 * Small regions stay on the heap. The file is deleted on {@link #close()}.
 */
public final class Scratch implements AutoCloseable {
  /** Regions smaller than this are plain heap buffers. */
  static final int HEAP_LIMIT = 1 << 20;

  private final Path file;
  private FileChannel channel;
  private long end;

  /**
   * A scratch space backed by {@code file} (created on first use); null keeps everything on the
   * heap.
   */
  public Scratch(Path file) {
    this.file = file;
  }

  /** A zeroed little-endian buffer of {@code bytes} bytes. */
  public synchronized ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a single tensor over 2 GiB: " + bytes + " bytes");
    }
    if (file == null || bytes < HEAP_LIMIT) {
      return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    try {
      if (channel == null) {
        Files.createDirectories(file.getParent());
        channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
      }
      ByteBuffer b =
          channel.map(FileChannel.MapMode.READ_WRITE, end, bytes).order(ByteOrder.LITTLE_ENDIAN);
      end += (bytes + 4095) & ~4095L;
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map scratch space in " + file, e);
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
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete scratch file " + file, e);
    }
  }
}
