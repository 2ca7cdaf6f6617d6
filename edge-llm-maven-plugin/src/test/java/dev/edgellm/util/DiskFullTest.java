package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgellm.testing.SmallDisk;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "go further": a full disk during {@code stage} and during validate's report is a typed
 * error that says what, where and the fix, and leaves no partial file under a final name (the old
 * staging stays as it was). The disk is a real one: a small tmpfs ({@link SmallDisk}; skipped where
 * user namespaces are not allowed), with the goal in a child JVM ({@link DiskFullRun}).
 */
class DiskFullTest {
  @TempDir Path tmp;

  @Test
  void aFullDiskIsATypedErrorNamingWhatWhereAndTheFix() {
    Path folder = tmp.resolve("target/edge-llm");
    IOException full =
        new FileSystemException(
            folder.resolve(".validation.json.abc.tmp").toString(), null, "No space left on device");
    assertThatThrownBy(
            () ->
                DiskFullException.typed(
                    full, "The validation report", folder, "edgellm.validate.reportDirectory"))
        .isInstanceOf(DiskFullException.class)
        .isInstanceOf(UserErrorException.class)
        .hasCause(full)
        .hasMessageStartingWith("The validation report could not be written to " + folder + ":")
        .hasMessageContaining(".validation.json.abc.tmp: No space left on device")
        .hasMessageContaining("MB free there")
        .hasMessageContaining("Nothing was left under the final file names")
        .hasMessageContaining("set edgellm.validate.reportDirectory to a folder on another disk");
    IOException other = new IOException("Input/output error");
    assertThat(DiskFullException.typed(other, "x", folder, "y")).isSameAs(other);
    assertThat(
            DiskFullException.isDiskFull(new IOException(new IOException("Disk quota exceeded"))))
        .isTrue();
  }

  @Test
  void stageOnAFullDiskKeepsThePreviousStagingAndSaysSo() throws Exception {
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    List<String> out = runOnSmallDisk("stage", disk, "1m");
    String target = disk.resolve("public/models/tiny-llama").toString();
    assertThat(errorLine(out))
        .startsWith(
            "ERROR dev.edgellm.util.DiskFullException: The staged model could not be written to "
                + target
                + ": the disk is full (")
        .contains("No space left on device")
        .contains("MB free there")
        .contains("set edgellm.stage.directory to a folder on another disk");
    List<String> before = section(out, "BEFORE");
    assertThat(before).contains("DIR public/models/tiny-llama/onnx");
    assertThat(before)
        .anyMatch(l -> l.startsWith("FILE public/models/tiny-llama/onnx/model.onnx "));
    // the previous staging, byte for byte; no staging folder or temporary file left beside it
    assertThat(section(out, "AFTER")).isEqualTo(before);
  }

  @Test
  void theValidationReportOnAFullDiskLeavesNoFileAndSaysSo() throws Exception {
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    List<String> out = runOnSmallDisk("report", disk, "256k");
    assertThat(errorLine(out))
        .startsWith(
            "ERROR dev.edgellm.util.DiskFullException: The validation report could not be written"
                + " to "
                + disk.resolve("report")
                + ": the disk is full (")
        .contains("No space left on device")
        .contains("set edgellm.validate.reportDirectory to a folder on another disk");
    assertThat(section(out, "BEFORE")).containsExactly("DIR report");
    assertThat(section(out, "AFTER")).containsExactly("DIR report");
  }

  /** Runs {@link DiskFullRun} with {@code disk} a tmpfs of {@code size}; returns its output. */
  private List<String> runOnSmallDisk(String mode, Path disk, String size) throws Exception {
    assumeTrue(SmallDisk.available(), "unshare -rm (user namespaces) is not available here");
    SmallDisk.Result r =
        SmallDisk.run(
            disk,
            size,
            DiskFullRun.class,
            mode,
            disk.toString(),
            Files.createDirectories(tmp.resolve("work")).toString());
    assertThat(r.exit()).as(r.output()).isZero();
    return r.lines();
  }

  private static String errorLine(List<String> out) {
    return out.stream()
        .filter(l -> l.startsWith("ERROR ") || l.equals("NO ERROR"))
        .findFirst()
        .orElse(String.join("\n", out));
  }

  /** The lines after {@code name} up to the next section or error line. */
  private static List<String> section(List<String> out, String name) {
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String l : out) {
      if (l.equals(name)) {
        in = true;
      } else if (in && (l.startsWith("FILE ") || l.startsWith("DIR "))) {
        lines.add(l);
      } else if (in) {
        break;
      }
    }
    return lines;
  }
}
