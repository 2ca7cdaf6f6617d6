package dev.edgellm.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An exclusive lock on an output folder, held while a goal writes into it: a second build (another
 * Maven process, or another module of a {@code -T} build in this JVM) that writes into the same
 * folder waits, saying so in its log every {@link #REPORT_EVERY}, until the first is done, and
 * fails after a timeout. The lock is an OS file lock on {@code .<folder name>.edge-llm.lock} beside
 * the folder (so the folder holds only outputs; the OS releases the lock when a process dies, even
 * by kill -9) plus a per-folder semaphore for the threads of this JVM (file locks are per process).
 * The lock file itself stays: deleting it would let two runs lock two different files.
 *
 * <p>Holding the lock, a run may delete what an interrupted run of ours left ({@link #cleanStale}):
 * no other live run writes into the folder.
 */
public final class OutputLock implements AutoCloseable {
  /** The end of a lock file's name. */
  public static final String SUFFIX = ".edge-llm.lock";

  /** How often a waiting build says that it waits. */
  static final Duration REPORT_EVERY = Duration.ofSeconds(10);

  /** The default time a build waits for another one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private static final Map<Path, Semaphore> IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path folder;
  private final Semaphore semaphore;
  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(Path folder, Semaphore semaphore, FileChannel channel, FileLock lock) {
    this.folder = folder;
    this.semaphore = semaphore;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Refuses a lock file that is a symbolic link: locking truncates and writes the file, which would
   * write wherever the link points, outside the build's folders.
   */
  private static void refuseLink(Path file, Path folder) {
    if (Files.isSymbolicLink(file)) {
      String target;
      try {
        target = Files.readSymbolicLink(file).toString();
      } catch (IOException e) {
        target = "?";
      }
      throw new UserErrorException(
          "Refusing to lock "
              + folder
              + " through "
              + file
              + ": it is a symbolic link (to "
              + target
              + "), and the lock file is written; remove the link");
    }
  }

  /** {@link #acquire(Path, String, Reporter, Duration)} with the default timeout. */
  public static OutputLock acquire(Path folder, String goal, Reporter log) throws IOException {
    return acquire(folder, goal, log, DEFAULT_TIMEOUT);
  }

  /** The lock file of {@code folder}: {@code .<name>.edge-llm.lock} beside it. */
  public static Path fileOf(Path folder) {
    Path abs = folder.toAbsolutePath().normalize();
    return abs.getParent() == null
        ? abs.resolve(SUFFIX)
        : abs.resolveSibling("." + abs.getFileName() + SUFFIX);
  }

  /**
   * Locks {@code folder} (its parent is created if missing, the folder itself is not) for {@code
   * goal}, waiting up to {@code timeout} for another build that holds it.
   *
   * @throws IOException when the folder cannot be locked, or another build still holds it after
   *     {@code timeout} (the message names the folder and that build's process)
   */
  public static OutputLock acquire(Path folder, String goal, Reporter log, Duration timeout)
      throws IOException {
    Path abs = folder.toAbsolutePath().normalize();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path dir =
        abs.getParent() == null ? abs : abs.getParent().toRealPath().resolve(abs.getFileName());
    Path file = fileOf(dir);
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime();
    Semaphore semaphore = IN_THIS_JVM.computeIfAbsent(dir, d -> new Semaphore(1));
    try {
      while (!semaphore.tryAcquire(200, TimeUnit.MILLISECONDS)) {
        nextReport = waiting(log, goal, dir, "another module of this build", deadline, nextReport);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the lock on " + dir, e);
    }
    FileChannel channel = null;
    try {
      refuseLink(file, dir);
      // NOFOLLOW_LINKS too: a link put there after the check is refused by the OS (ELOOP)
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      while ((lock = channel.tryLock()) == null) {
        nextReport = waiting(log, goal, dir, holder(file), deadline, nextReport);
        Thread.sleep(200);
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + " " + goal + "\n").getBytes(StandardCharsets.UTF_8)),
          0);
      return new OutputLock(dir, semaphore, channel, lock);
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      semaphore.release();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the lock on " + dir, e);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) e;
    }
  }

  private static long waiting(
      Reporter log, String goal, Path dir, String holder, long deadline, long nextReport)
      throws IOException {
    long now = System.nanoTime();
    if (now - deadline > 0) {
      throw new IOException(
          goal
              + ": "
              + holder
              + " is still writing into "
              + dir
              + " (it holds "
              + fileOf(dir)
              + "); gave up waiting. Let it finish, or give this build another output folder");
    }
    if (now - nextReport >= 0) {
      log.info(
          goal
              + ": waiting for "
              + holder
              + ", which is writing into "
              + dir
              + " (lock "
              + fileOf(dir).getFileName()
              + "); two builds never write one folder at once");
      return now + REPORT_EVERY.toNanos();
    }
    return nextReport;
  }

  /** "another build (process N, goal)" from what the holder wrote into the lock file. */
  private static String holder(Path file) {
    try {
      String[] s = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ", 2);
      if (s.length == 2 && s[0].chars().allMatch(Character::isDigit) && !s[0].isEmpty()) {
        return "another build (process " + s[0] + ", " + s[1] + ")";
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "another build";
  }

  /** The locked folder (its parent's real path, and its name). */
  public Path folder() {
    return folder;
  }

  /**
   * Deletes the regular files directly in the locked folder whose names {@code stale} accepts
   * (temporaries of our own naming that an interrupted run left), logging each; returns the names
   * deleted.
   */
  public List<String> cleanStale(Predicate<String> stale, String goal, Reporter log)
      throws IOException {
    List<String> deleted = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return deleted;
    }
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (stale.test(name) && Files.isRegularFile(p)) {
          long size = Files.size(p);
          Files.deleteIfExists(p);
          deleted.add(name);
          log.info(
              String.format(
                  java.util.Locale.ROOT,
                  "%s: removed %s (%.1f MB), left in %s by an interrupted run",
                  goal,
                  name,
                  size / 1048576.0,
                  folder));
        }
      }
    }
    deleted.sort(null);
    return deleted;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      semaphore.release();
    }
  }
}
