package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.bench.RandomCheckpoint;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "go further": SIGTERM (what stopping Maven sends) in the middle of each goal leaves no
 * partial file under a final name, and no temporary one either ({@link InFlight}'s shutdown hook):
 * a child JVM ({@link GoalRun}) runs the goal's core on a generated Llama-shaped checkpoint (6
 * layers, hidden 768, 76 MB bf16; its fp32 model 152 MB) and gets SIGTERM once the goal is seen
 * writing (a temporary file or folder) or running (its log).
 */
class SigtermTest {
  @TempDir static Path tmp;
  static Path checkpoint;
  static Path model;
  static Path staged;

  @BeforeAll
  static void generate() throws Exception {
    Path ckpt = tmp.resolve("checkpoint/llama-768");
    Path config = Files.createDirectories(tmp.resolve("config")).resolve("config.json");
    ObjectNode c = Json.readObject(Fixtures.tiny("tiny-llama").resolve("config.json"));
    c.put("hidden_size", 768);
    c.put("num_hidden_layers", 6);
    c.put("num_attention_heads", 12);
    c.put("num_key_value_heads", 4);
    c.put("head_dim", 64);
    c.put("intermediate_size", 2048);
    c.put("tie_word_embeddings", true);
    Files.writeString(config, Json.pretty(c));
    RandomCheckpoint.writeLlama(config, ckpt, 42);
    for (String f : Fixtures.TINY_LLAMA_FILES) {
      if (!f.equals("config.json")) {
        Files.copy(Fixtures.tiny("tiny-llama").resolve(f), ckpt.resolve(f));
      }
    }
    checkpoint = ckpt;
    model =
        new Exporter(Reporter.silent())
            .export(new ExportRequest(ckpt, tmp.resolve("fp32"), Precision.FP32, Embeddings.FP32))
            .model();
    staged = tmp.resolve("public/models/llama-768");
    new Stager(Reporter.silent()).stage(new StageRequest(ckpt, model, staged, Layout.LOCAL));
  }

  @Test
  void exportStoppedMidWriteLeavesNoModelAndNoTemporary() throws Exception {
    Path out = tmp.resolve("export-out");
    stopWhen(
        List.of("export", checkpoint.toString(), out.toString()),
        log -> hasEntry(out, n -> n.startsWith(".model.onnx.")));
    assertThat(entries(out)).isEmpty();
  }

  @Test
  void quantizeStoppedMidRunLeavesNoModelAndNoTemporary() throws Exception {
    Path out = tmp.resolve("q4/model.onnx");
    stopWhen(
        List.of("quantize", model.toString(), out.toString()),
        log -> log.contains("quantize: tensor "));
    assertThat(entries(out.getParent())).isEmpty();
  }

  @Test
  void stageStoppedMidBuildKeepsThePreviousStagingAndLeavesNoStagingFolder() throws Exception {
    var before = hashes(staged);
    stopWhen(
        List.of("stage", checkpoint.toString(), model.toString(), staged.toString()),
        log -> hasEntry(staged.getParent(), n -> n.startsWith(".llama-768.staging-")));
    assertThat(hashes(staged)).isEqualTo(before);
    assertThat(entries(staged.getParent())).containsExactly("llama-768");
  }

  @Test
  void validateStoppedMidRunWritesNoReportAndLeavesTheStagingAsItWas() throws Exception {
    var before = hashes(staged);
    Path report = Files.createDirectories(tmp.resolve("report"));
    stopWhen(
        List.of("validate", staged.toString(), report.toString()),
        log -> log.contains("model.parses"));
    assertThat(entries(report)).isEmpty();
    assertThat(hashes(staged)).isEqualTo(before);
  }

  /**
   * Runs {@link GoalRun} with {@code args}, sends SIGTERM as soon as {@code started} holds (given
   * the log so far), and checks that the JVM ended by it (exit 143) before the goal was done.
   */
  private static void stopWhen(List<String> args, Predicate<String> started) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                GoalRun.class.getName()));
    cmd.addAll(args);
    Path log = tmp.resolve(args.get(0) + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (p.isAlive() && !started.test(read(log))) {
        assertThat(System.nanoTime()).as("the goal did not start: " + read(log)).isLessThan(end);
        Thread.sleep(10);
      }
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(read(log)).doesNotContain("DONE");
      assertThat(p.exitValue()).as(read(log)).isEqualTo(143);
    } finally {
      p.destroyForcibly();
    }
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  private static boolean hasEntry(Path folder, Predicate<String> name) {
    try {
      return entries(folder).stream().anyMatch(name);
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> entries(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> all = Files.list(folder)) {
      return all.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static TreeMap<String, String> hashes(Path folder) throws Exception {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(folder)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
          byte[] b = new byte[1 << 16];
          for (int n; (n = in.read(b)) > 0; ) {
            d.update(b, 0, n);
          }
        }
        out.put(folder.relativize(p).toString(), HexFormat.of().formatHex(d.digest()));
      }
    }
    return out;
  }
}
