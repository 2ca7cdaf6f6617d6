package dev.edgellm.hub;

import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * One repository's folder in the Hugging Face cache, laid out as huggingface_hub lays it out:
 *
 * <pre>
 * &lt;cache&gt;/models--org--name/
 *   blobs/&lt;etag&gt;                  file contents, named by the sha256 (LFS) or git blob sha1
 *   blobs/&lt;etag&gt;.incomplete       a download in progress, resumed with Range
 *   snapshots/&lt;commit&gt;/&lt;file&gt;   relative symlinks into ../../blobs (copies where links fail)
 *   refs/&lt;branch or tag&gt;         the commit it pointed to when last resolved
 * &lt;cache&gt;/.locks/models--org--name/&lt;etag&gt;.lock
 * </pre>
 */
final class HubCache {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
  private static final ConcurrentHashMap<String, ReentrantLock> JVM_LOCKS =
      new ConcurrentHashMap<>();

  private final Path root;
  private final HubId id;
  private final Path repo;

  HubCache(Path root, HubId id) {
    this.root = root.toAbsolutePath().normalize();
    this.id = id;
    this.repo = this.root.resolve(id.cacheFolderName());
  }

  /** {@code <cache>/models--org--name}. */
  Path repoFolder() {
    return repo;
  }

  Path blob(String etag) {
    return repo.resolve("blobs").resolve(etag);
  }

  Path incomplete(String etag) {
    return repo.resolve("blobs").resolve(etag + ".incomplete");
  }

  Path snapshot(String commit) {
    return repo.resolve("snapshots").resolve(commit);
  }

  Path ref(String revision) {
    return repo.resolve("refs").resolve(revision);
  }

  /** The commit {@code revision} resolves to in the cache: a cached commit, or {@code refs/}. */
  Optional<String> commitFor(String revision) throws IOException {
    if (HubId.isCommit(revision) && Files.isDirectory(snapshot(revision))) {
      return Optional.of(revision);
    }
    Path ref = ref(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
    return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
  }

  /** Records that {@code revision} points at {@code commit} (nothing to record for a commit). */
  void writeRef(String revision, String commit) throws IOException {
    if (revision.equals(commit)) {
      return;
    }
    Path ref = ref(revision);
    if (Files.isRegularFile(ref)
        && Files.readString(ref, StandardCharsets.UTF_8).strip().equals(commit)) {
      return;
    }
    // huggingface_hub writes the bare hash, no newline
    AtomicFiles.writeString(ref, commit);
  }

  /**
   * Puts {@code snapshots/<commit>/<file>} in place as a relative symlink to the blob, or as a copy
   * of it where the file system refuses symlinks (Windows without developer mode), replacing
   * whatever was there.
   */
  void link(String commit, String file, Path blob) throws IOException {
    Path target = snapshot(commit).resolve(file);
    Files.createDirectories(target.getParent());
    Path relative = target.getParent().relativize(blob);
    Path temp =
        target.resolveSibling(
            "." + target.getFileName() + ".link-" + ProcessHandle.current().pid());
    Files.deleteIfExists(temp);
    try {
      Files.createSymbolicLink(temp, relative);
      AtomicFiles.move(temp, target);
    } catch (UnsupportedOperationException | IOException e) {
      Files.deleteIfExists(temp);
      Path copy = AtomicFiles.createTemp(target);
      try {
        Files.copy(blob, copy, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.moveIntoPlace(copy, target);
      } catch (IOException | RuntimeException e2) {
        AtomicFiles.deleteQuietly(copy, e2);
        throw e2;
      }
    }
  }

  /** The etag a snapshot file links to (its blob's name), or empty for a copy or a missing file. */
  Optional<String> linkedEtag(Path snapshotFile) {
    if (!Files.isSymbolicLink(snapshotFile)) {
      return Optional.empty();
    }
    try {
      Path target = Files.readSymbolicLink(snapshotFile);
      return Optional.of(target.getFileName().toString());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Whether the snapshot file exists and is readable (a dangling link is not). */
  static boolean present(Path snapshotFile) {
    return Files.isRegularFile(snapshotFile);
  }

  /** Whether a link in the snapshot folder exists at all, dangling or not. */
  static boolean exists(Path snapshotFile) {
    return Files.exists(snapshotFile, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * What is wrong with {@code file} as the content named by {@code etag}, or null when nothing is:
   * a 64-hex etag is the SHA-256 of an LFS file, a 40-hex one the git blob SHA-1 of a small file;
   * other etags cannot be checked. {@code expectedSize} (-1: unknown) is checked first.
   */
  static String verify(Path file, String etag, long expectedSize) throws IOException {
    long size = Files.size(file);
    if (expectedSize >= 0 && size != expectedSize) {
      return size + " bytes, the Hub says " + expectedSize;
    }
    if (SHA256.matcher(etag).matches()) {
      String actual = Sha256.of(file);
      return actual.equals(etag) ? null : "SHA-256 " + actual + ", the Hub says " + etag;
    }
    if (SHA1.matcher(etag).matches()) {
      String actual = gitBlobSha1(file, size);
      return actual.equals(etag) ? null : "git SHA-1 " + actual + ", the Hub says " + etag;
    }
    return null;
  }

  private static String gitBlobSha1(Path file, long size) throws IOException {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-1", e);
    }
    sha1.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha1.update(buffer, 0, n);
      }
    }
    return Sha256.hex(sha1.digest());
  }

  /** Work on one blob while holding its lock, against other threads and other processes. */
  interface LockedWork<T> {
    T run() throws IOException;
  }

  <T> T withBlobLock(String etag, LockedWork<T> work) throws IOException {
    Path lockFile = root.resolve(".locks").resolve(id.cacheFolderName()).resolve(etag + ".lock");
    ReentrantLock jvmLock =
        JVM_LOCKS.computeIfAbsent(lockFile.toString(), k -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        return work.run();
      }
    } finally {
      jvmLock.unlock();
    }
  }
}
