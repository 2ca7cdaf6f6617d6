package dev.edgellm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small real disk for full-disk tests: a tmpfs mounted in the user and mount namespaces of a
 * child process ({@code unshare -rm}: no root needed, nothing outlives the child), with a class's
 * {@code main} run there in a child JVM.
 */
public final class SmallDisk {
  private SmallDisk() {}

  /** The child's exit status and its output (stdout and stderr). */
  public record Result(int exit, String output) {
    public List<String> lines() {
      return output.lines().toList();
    }
  }

  /** Whether this machine allows it ({@code unshare -rm}: user namespaces). */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("unshare", "-rm", "true").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Mounts a tmpfs of {@code size} (e.g. {@code 3m}) on {@code disk} and runs {@code main} with
   * {@code args} in a JVM (-Xmx256m, this classpath) that sees it; waits at most 5 minutes.
   */
  public static Result run(Path disk, String size, Class<?> main, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "-rm",
                "sh",
                "-c",
                "mount -t tmpfs -o size=" + size + " none \"$0\" && exec \"$@\"",
                disk.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), output);
  }
}
