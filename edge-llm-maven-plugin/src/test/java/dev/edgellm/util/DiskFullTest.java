package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "go further": a full disk during {@code stage} and during validate's report is a typed
 * error that says what, where and the fix, and leaves no partial file under a final name (the old
 * staging stays as it was). The disk is a real one: a small tmpfs mounted in a mount namespace of
 * its own ({@code unshare --user --map-root-user --mount}, no root needed where the kernel allows
 * user namespaces; skipped where it does not), with the goal in a child JVM ({@link DiskFullRun}).
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
    assumeTrue(
        canMountTmpfs(),
        "no mount namespace with a tmpfs here (unshare --user --map-root-user --mount refused)");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(unshare(size));
    cmd.addAll(
        List.of(
            disk.toString(),
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            DiskFullRun.class.getName(),
            mode,
            disk.toString(),
            Files.createDirectories(tmp.resolve("work")).toString()));
    Path log = tmp.resolve(mode + ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join("\n", out)).isZero();
    return out;
  }

  /** {@code unshare ... sh -c 'mount a tmpfs of SIZE on $0, then run the rest'}. */
  private static List<String> unshare(String size) {
    return List.of(
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        "mount -t tmpfs -o size=" + size + " tmpfs \"$0\" && exec \"$@\"");
  }

  private boolean canMountTmpfs() {
    try {
      Path probe = Files.createDirectories(tmp.resolve("probe"));
      List<String> cmd = new ArrayList<>(unshare("64k"));
      cmd.addAll(List.of(probe.toString(), "true"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
