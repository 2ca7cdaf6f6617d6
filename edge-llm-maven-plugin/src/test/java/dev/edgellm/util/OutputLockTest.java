package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.testing.RecordingReporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLockTest {
  @TempDir Path tmp;

  @Test
  void aSecondBuildWaitsSayingSoAndGoesOnWhenTheFirstIsDone() throws Exception {
    Path out = tmp.resolve("out");
    assertThat(OutputLock.fileOf(out)).isEqualTo(tmp.resolve(".out.edge-llm.lock"));
    List<String> logged = Collections.synchronizedList(new ArrayList<>());
    OutputLock first = OutputLock.acquire(out, "export", Reporter.silent());
    assertThat(Files.readString(OutputLock.fileOf(out)))
        .isEqualTo(ProcessHandle.current().pid() + " export\n");
    CompletableFuture<OutputLock> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return OutputLock.acquire(
                    out,
                    "export",
                    new RecordingReporter(logged, "INFO ", "WARN "),
                    Duration.ofMinutes(1));
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(600);
    assertThat(second).isNotDone();
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("export: waiting for")
                    .contains(tmp.toRealPath().resolve("out") + ""));
    first.close();
    second.get(20, TimeUnit.SECONDS).close();
  }

  @Test
  void givesUpAfterTheTimeoutNamingTheFolder() throws Exception {
    Path out = tmp.resolve("out");
    try (OutputLock first = OutputLock.acquire(out, "export", Reporter.silent())) {
      assertThatThrownBy(
              () -> OutputLock.acquire(out, "quantize", Reporter.silent(), Duration.ofMillis(300)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("quantize: ")
          .hasMessageContaining("is still writing into " + tmp.toRealPath().resolve("out"))
          .hasMessageContaining("another output folder");
    }
    OutputLock.acquire(out, "export", Reporter.silent(), Duration.ofMillis(300)).close();
  }
}
