package dev.edgellm.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzer's scratch folders (under /dev/shm where there is one) are removed however a run ends:
 * normally, when the fuzzing child is killed outright, when the fuzz command is stopped with
 * SIGTERM, and (for a process killed before it could clean up) by the next run.
 */
class FuzzScratchTest {
  @TempDir Path tmp;

  @Test
  void aRunRemovesItsScratchFolder() throws Exception {
    FuzzReaders.Result r = FuzzReaders.run(Readers.CONFIG, 120, 20, tmp, false);
    assertThat(r.findings()).as(r.line()).isZero();
    assertThat(r.executions()).as(r.line()).isEqualTo(20);
    assertThat(r.scratch().getParent()).isEqualTo(Fuzzing.scratchBase());
    assertThat(r.scratch().getFileName().toString())
        .startsWith("edgellm-fuzz-" + ProcessHandle.current().pid() + "-");
    assertThat(r.scratch()).doesNotExist();
    assertThat(scratchOf(ProcessHandle.current().pid())).isEmpty();
  }

  @Test
  void aChildKilledMidRunLeavesNoScratchFolder() throws Exception {
    long me = ProcessHandle.current().pid();
    CompletableFuture<FuzzReaders.Result> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return FuzzReaders.run(Readers.CONFIG, 120, -1, tmp, false);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Path used = awaitInput(me);
    ProcessHandle jazzer =
        ProcessHandle.current()
            .children()
            .filter(p -> p.info().commandLine().orElse("").contains("jazzer.Jazzer"))
            .findFirst()
            .orElseThrow();
    jazzer.destroyForcibly(); // SIGKILL: no shutdown hook of the child runs
    FuzzReaders.Result r = run.get(60, TimeUnit.SECONDS);
    assertThat(r.exit()).isEqualTo(137);
    assertThat(r.findings()).isEqualTo(1);
    assertThat(r.firstFinding()).startsWith("the fuzzer exited with 137");
    assertThat(used.startsWith(r.scratch())).as(used.toString()).isTrue();
    assertThat(r.scratch()).doesNotExist();
    assertThat(scratchOf(me)).isEmpty();
  }

  @Test
  void aFuzzCommandStoppedWithSigtermLeavesNoScratchFolderNorChild() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process fuzz =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FuzzReaders.class.getName(),
                "--seconds",
                "120",
                "--work",
                tmp.resolve("work").toString(),
                "config")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("fuzz.out").toFile())
            .start();
    try {
      Path used = awaitInput(fuzz.pid());
      List<ProcessHandle> children = fuzz.toHandle().children().toList();
      assertThat(children).hasSize(1);
      fuzz.destroy(); // SIGTERM
      assertThat(fuzz.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(fuzz.exitValue()).isEqualTo(143);
      children.get(0).onExit().get(30, TimeUnit.SECONDS);
      assertThat(children.get(0).isAlive()).isFalse();
      assertThat(used).doesNotExist();
      assertThat(scratchOf(fuzz.pid())).isEmpty();
    } finally {
      fuzz.destroyForcibly();
    }
  }

  @Test
  void theScratchFoldersOfGoneProcessesAreSweptOthersStay() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.createDirectories(tmp.resolve("edgellm-fuzz-" + gone.pid() + "-123/onnx"));
    Files.write(stale.resolve("0.model.onnx"), new byte[100]);
    Path live =
        Files.createDirectories(
            tmp.resolve("edgellm-fuzz-" + ProcessHandle.current().pid() + "-4"));
    Path unnamed = Files.createDirectories(tmp.resolve("edgellm-fuzz-98765432101234567"));
    Path other = Files.createDirectories(tmp.resolve("b2105387"));

    assertThat(Fuzzing.sweepStale(tmp)).isEqualTo(1);
    assertThat(stale.getParent()).doesNotExist();
    assertThat(live).isDirectory();
    assertThat(unnamed).isDirectory();
    assertThat(other).isDirectory();
    assertThat(Fuzzing.sweepStale(tmp)).isZero();
  }

  /** The scratch folders of process {@code pid}. */
  private static List<Path> scratchOf(long pid) throws IOException {
    try (Stream<Path> all = Files.list(Fuzzing.scratchBase())) {
      return all.filter(p -> p.getFileName().toString().startsWith("edgellm-fuzz-" + pid + "-"))
          .toList();
    }
  }

  /** Waits until a fuzzing child of {@code pid} has written its first input; returns that file. */
  private static Path awaitInput(long pid) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      for (Path root : scratchOf(pid)) {
        Path input = root.resolve("config" + File.separator + "config.json");
        if (Files.exists(input)) {
          return input;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no fuzz input of process " + pid + " within 120 s");
  }
}
