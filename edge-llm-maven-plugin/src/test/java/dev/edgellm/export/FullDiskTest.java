package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgellm.testing.SmallDisk;
import dev.edgellm.testing.WideCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  @Test
  void anFp32ExportOntoAFullDiskFailsWithAnIoErrorNamingTheFile() throws Exception {
    assumeTrue(SmallDisk.available(), "unshare -rm (user namespaces) is not available here");
    Path ckpt = WideCheckpoint.write(tmp.resolve("ckpt"), 16384);
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    SmallDisk.Result r =
        SmallDisk.run(disk, "3m", ExportInto.class, ckpt.toString(), disk + "/out");
    String output = r.output();
    List<String> result = output.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertThat(result).as(output).hasSize(1);
    assertThat(result.get(0))
        .as(output)
        .startsWith("RESULT java.io.UncheckedIOException: ")
        .contains(disk + "/out/")
        .containsAnyOf("No space left on device", "cannot reserve");
    assertThat(r.exit()).isZero();
  }
}
