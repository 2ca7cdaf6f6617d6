package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgellm.testing.WideCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, defect 3: an fp32 export onto a full disk fails with an I/O error naming the file
 * instead of crashing the JVM. The disk is a 3 MiB tmpfs mounted in a user namespace of a child
 * process ({@code unshare -rm}: nothing outlives it); skipped where user namespaces are not
 * allowed.
 */
class FullDiskTest {
  @TempDir Path tmp;

  private static boolean userNamespaces() {
    try {
      Process p = new ProcessBuilder("unshare", "-rm", "true").redirectErrorStream(true).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void anFp32ExportOntoAFullDiskFailsWithAnIoErrorNamingTheFile() throws Exception {
    assumeTrue(userNamespaces(), "unshare -rm (user namespaces) is not available here");
    Path ckpt = WideCheckpoint.write(tmp.resolve("ckpt"), 16384);
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                "unshare",
                "-rm",
                "sh",
                "-c",
                "mount -t tmpfs -o size=3m none \"$1\" && exec \"$2\" -Xmx256m -cp \"$3\" "
                    + ExportInto.class.getName()
                    + " \"$4\" \"$1/out\"",
                "sh",
                disk.toString(),
                java,
                System.getProperty("java.class.path"),
                ckpt.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    List<String> result = output.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertThat(result).as(output).hasSize(1);
    assertThat(result.get(0))
        .as(output)
        .startsWith("RESULT java.io.UncheckedIOException: ")
        .contains(disk + "/out/")
        .containsAnyOf("No space left on device", "cannot reserve");
    assertThat(p.exitValue()).isZero();
  }
}
