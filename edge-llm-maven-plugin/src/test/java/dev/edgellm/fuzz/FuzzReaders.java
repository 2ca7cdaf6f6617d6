package dev.edgellm.fuzz;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes each reader of untrusted bytes with Jazzer (libFuzzer for the JVM), one child JVM per
 * reader, seeded from the fixtures, and prints executions and findings per reader. A finding is any
 * exception other than the reader's typed {@code UserErrorException}; Jazzer writes its input to
 * {@code <work>/<reader>/crash-*}.
 *
 * <pre>
 * FuzzReaders [--seconds N] [--runs N] [--work DIR] [READER...]   (default: 60 s each, all readers)
 * </pre>
 *
 * Run it with {@code ./fuzz.sh} (the long pass); {@code FuzzSmokeTest} runs a short pass.
 */
public final class FuzzReaders {
  private FuzzReaders() {}

  /**
   * One reader's run.
   *
   * @param scratch the child's scratch folder (under /dev/shm where there is one), removed when the
   *     run returns
   */
  public record Result(
      Readers reader,
      long executions,
      long seconds,
      int findings,
      String firstFinding,
      int exit,
      Path log,
      Path scratch) {
    String line() {
      return String.format(
          Locale.ROOT,
          "%-17s %12d executions in %5d s (%7.0f/s), %d findings%s",
          reader.name().toLowerCase(Locale.ROOT),
          executions,
          seconds,
          executions / Math.max(1.0, seconds),
          findings,
          firstFinding == null ? "" : ": " + firstFinding);
    }
  }

  public static void main(String[] args) throws Exception {
    long seconds = 60;
    long runs = -1;
    Path work = Path.of("target/fuzz");
    List<Readers> readers = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Long.parseLong(args[++i]);
        case "--runs" -> runs = Long.parseLong(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        default -> readers.add(Readers.valueOf(args[i].toUpperCase(Locale.ROOT)));
      }
    }
    if (readers.isEmpty()) {
      readers.addAll(List.of(Readers.values()));
    }
    int findings = 0;
    List<Result> results = new ArrayList<>();
    for (Readers r : readers) {
      Result res = run(r, seconds, runs, work, true);
      results.add(res);
      findings += res.findings();
      System.out.println("[fuzz] " + res.line());
    }
    System.out.println("[fuzz] summary:");
    results.forEach(r -> System.out.println("[fuzz]   " + r.line()));
    System.exit(findings == 0 ? 0 : 1);
  }

  private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");
  private static final Pattern STATUS = Pattern.compile("^#(\\d+)\\s", Pattern.MULTILINE);

  /**
   * Fuzzes {@code reader} in a child JVM for {@code seconds} (and at most {@code runs} executions
   * when positive), its corpus and findings in {@code work/<reader>}. The child's scratch folder is
   * made here and removed when the child is gone, however it ended (a finding, a crash, a kill), or
   * when this JVM is stopped (SIGTERM, Ctrl-C: the child is killed first); one left by a process
   * killed outright is removed by the next run ({@link Fuzzing#sweepStale}).
   */
  public static Result run(Readers reader, long seconds, long runs, Path work, boolean echo)
      throws IOException, InterruptedException {
    Path scratch = Fuzzing.newScratch();
    AtomicReference<Process> child = new AtomicReference<>();
    Thread onStop = new Thread(() -> stop(child.get(), scratch));
    Runtime.getRuntime().addShutdownHook(onStop);
    try {
      return run(reader, seconds, runs, work, scratch, child);
    } finally {
      stop(child.get(), scratch);
      try {
        Runtime.getRuntime().removeShutdownHook(onStop);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
  }

  /** Kills {@code child} (if any, and alive), waits for it, then removes {@code scratch}. */
  private static void stop(Process child, Path scratch) {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      try {
        child.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Fuzzing.deleteTree(scratch);
    } catch (IOException e) {
      System.err.println("[fuzz] could not remove " + scratch + ": " + e);
    }
  }

  private static Result run(
      Readers reader,
      long seconds,
      long runs,
      Path work,
      Path scratch,
      AtomicReference<Process> child)
      throws IOException, InterruptedException {
    Path dir = work.resolve(reader.name().toLowerCase(Locale.ROOT)).toAbsolutePath();
    Path corpus = dir.resolve("corpus");
    Path seeds = dir.resolve("seeds");
    Fuzzing.seeds(reader, seeds);
    Files.createDirectories(corpus);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                // the heap bounds memory: an OutOfMemoryError is a finding. libFuzzer's own RSS
                // limit is off (-rss_limit_mb=0): it reads the peak RSS, which Linux carries over
                // from the parent JVM through the exec, so a child of a large JVM (surefire late
                // in the suite) "ran out of memory" before its first execution (exit 71).
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-D" + Fuzzing.SCRATCH_PROPERTY + "=" + scratch,
                "-cp",
                childClasspath(),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=dev.edgellm.fuzz." + targetClass(reader),
                // coverage and compare hooks in our code only: hooking every String.equals of
                // Jackson and the JDK made each execution 6 times slower
                "--instrumentation_includes=dev.edgellm.**",
                "--custom_hook_includes=dev.edgellm.**",
                // PEFT's target_modules is a regular expression by definition: the adapter reader
                // compiles it on purpose, refusing invalid or endlessly backtracking ones
                // (FuzzSmokeTest), which this sanitizer would report all the same
                "--disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexInjection",
                // libFuzzer's own byte mutations (the inputs are plain bytes), 1.5 times faster
                "--mutator_framework=false",
                "--keep_going=1000",
                "--reproducer_path=" + dir,
                "-artifact_prefix=" + dir + File.separator,
                "-max_len=" + reader.maxLength,
                "-rss_limit_mb=0",
                "-timeout=120",
                "-print_final_stats=1",
                "-max_total_time=" + seconds));
    if (runs > 0) {
      cmd.add("-runs=" + runs);
    }
    cmd.add(corpus.toString());
    cmd.add(seeds.toString());
    Path log = dir.resolve("fuzz.log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(Path.of("").toAbsolutePath().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    child.set(p);
    if (!p.waitFor(seconds + 300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    long execs = 0;
    long secs = seconds;
    Matcher done = DONE.matcher(out);
    if (done.find()) {
      execs = Long.parseLong(done.group(1));
      secs = Long.parseLong(done.group(2));
    } else {
      Matcher m = STATUS.matcher(out);
      while (m.find()) {
        execs = Long.parseLong(m.group(1));
      }
    }
    int findings = 0;
    String first = null;
    Matcher f = Pattern.compile("== Java Exception: (.*)").matcher(out);
    while (f.find()) {
      findings++;
      if (first == null) {
        first = f.group(1);
      }
    }
    if (p.exitValue() != 0 && findings == 0 && !done.find(0)) {
      findings = 1;
      first = "the fuzzer exited with " + p.exitValue() + " (see " + log + ")";
    }
    return new Result(reader, execs, secs, findings, first, p.exitValue(), log, scratch);
  }

  /** The last {@code lines} lines of {@code r}'s fuzzer log (for a failure message). */
  static String logTail(Result r, int lines) throws IOException {
    List<String> all = Files.readAllLines(r.log(), StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * The test classpath without the jars no reader needs (ONNX Runtime alone is 52 MB): Jazzer scans
   * every jar for hooks when it starts, which took most of a short pass.
   */
  static String childClasspath() {
    List<String> keep = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (!name.endsWith(".jar")
          || name.startsWith("jackson-")
          || name.startsWith("protobuf-java-")
          || name.startsWith("jazzer-")) {
        keep.add(entry);
      }
    }
    return String.join(File.pathSeparator, keep);
  }

  private static String targetClass(Readers r) {
    return switch (r) {
      case SAFETENSORS -> "SafetensorsFuzz";
      case ONNX -> "OnnxFuzz";
      case CONFIG -> "ConfigFuzz";
      case TOKENIZER_CONFIG -> "TokenizerConfigFuzz";
      case ADAPTER_CONFIG -> "AdapterConfigFuzz";
      case HUB -> "HubFuzz";
    };
  }
}
