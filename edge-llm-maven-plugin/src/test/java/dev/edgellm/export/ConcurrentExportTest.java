package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.testing.WideCheckpoint;
import dev.edgellm.util.OutputLock;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, defect 3: exports into one output folder at once (threads of one JVM, as in a {@code
 * -T} build; the failure IT runs two Maven processes) each map their own scratch file and take
 * turns through the folder's lock; temporaries of our naming that a killed run left are removed.
 */
class ConcurrentExportTest {
  @TempDir Path tmp;

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void fourExportsIntoOneFolderAtOnceAllWriteTheSameModel() throws Exception {
    Path ckpt = WideCheckpoint.write(tmp.resolve("ckpt"), 8192);
    Path alone = tmp.resolve("alone");
    new Exporter(Reporter.silent()).export(ExportRequest.fp32(ckpt, alone));
    byte[] expected = Files.readAllBytes(alone.resolve("model.onnx"));

    Path shared = tmp.resolve("shared");
    List<String> logged = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  return new Exporter(new RecordingReporter(logged, "INFO ", "WARN "))
                      .export(ExportRequest.fp32(ckpt, shared));
                }));
      }
      start.countDown();
      for (Future<?> f : runs) {
        f.get(); // rethrows what the export threw
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(Files.readAllBytes(shared.resolve("model.onnx"))).isEqualTo(expected);
    assertThat(names(shared)).containsExactly("model.onnx");
    assertThat(OutputLock.fileOf(shared)).exists();
  }

  @Test
  void removesTemporariesAKilledExportLeftAndNothingElse() throws Exception {
    Path ckpt = WideCheckpoint.write(tmp.resolve("ckpt"), 8192);
    Path out = Files.createDirectories(tmp.resolve("out"));
    List<String> stale =
        List.of(
            ".model.onnx.3k9x2a1b.tmp",
            ".model.onnx_data.zz01.tmp",
            ".model.onnx.scratch",
            ".model.onnx.a8c3.scratch");
    List<String> kept = List.of("notes.txt", ".model.onnx.bak", ".model.onnx.X-1.tmp", "x.tmp");
    for (String n : stale) {
      Files.write(out.resolve(n), new byte[1 << 20]);
    }
    for (String n : kept) {
      Files.writeString(out.resolve(n), "mine");
    }
    List<String> logged = new ArrayList<>();

    new Exporter(new RecordingReporter(logged, "INFO ", "WARN "))
        .export(ExportRequest.fp32(ckpt, out));

    List<String> expected = new ArrayList<>(kept);
    expected.add("model.onnx");
    assertThat(names(out)).containsExactlyInAnyOrderElementsOf(expected);
    for (String n : stale) {
      assertThat(logged)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains("export: removed " + n + " (1.0 MB)")
                      .contains("interrupted run"));
    }
  }
}
