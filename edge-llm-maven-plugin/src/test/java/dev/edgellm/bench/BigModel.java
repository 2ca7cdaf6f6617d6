package dev.edgellm.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.ExportResult;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.StageResult;
import dev.edgellm.stage.StagedFile;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.CheckResult;
import dev.edgellm.validate.CheckStatus;
import dev.edgellm.validate.ValidationReport;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The big-model run (not a test; {@code ./bigmodel.sh}): a random bf16 checkpoint with Llama 3.2
 * 3B's real config (28 layers, hidden 3072, 24 heads, 8 kv heads, intermediate 8192, vocab 128256,
 * tied embeddings, llama3 rope with factor 32 and theta 500000; 6.4 GB) is exported to q4 with
 * external data ({@code edgellm.export.externalData=true}, 1 GiB chunks), staged and validated (its
 * real ONNX Runtime run reads the chunks). Prints times, sizes and the validation summary; the
 * staged folder is then loaded by {@code src/test/node/tjs-proof/bigmodel.mjs}.
 *
 * <p>The tokenizer is tiny-llama's (512 tokens) with Llama 3's four special tokens added at their
 * real ids (128000, 128001, 128008, 128009), so that config.json's token ids are the real ones and
 * every tokenizer check holds; the model's input ids are given directly.
 *
 * <p>Usage: {@code BigModel WORKDIR [CONFIG CHUNK_BYTES]} (a smaller config and a forced chunk size
 * for a dry run); writes {@code WORKDIR/llama-3.2-3b-random} (kept), {@code WORKDIR/model-q4},
 * {@code WORKDIR/public/models/llama-3.2-3b-random}.
 */
public final class BigModel {
  private BigModel() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "/tmp/edgellm-big");
    Path config =
        Path.of(args.length > 1 ? args[1] : "src/test/resources/configs/llama-3.2-3b-v4.json");
    Path ckpt = work.resolve("llama-3.2-3b-random");
    Reporter log = Reporter.to(System.out);
    if (!Files.exists(ckpt.resolve("model.safetensors"))) {
      long t = System.nanoTime();
      RandomCheckpoint.writeLlama(config, ckpt, 42);
      writeTokenizer(Path.of("src/test/resources/models/tiny-llama"), ckpt);
      System.out.printf(
          Locale.ROOT,
          "generated %s (%.2f GB bf16) in %.1f s%n",
          ckpt,
          Files.size(ckpt.resolve("model.safetensors")) / 1e9,
          (System.nanoTime() - t) / 1e9);
    }
    Path out = work.resolve("model-q4");
    // External data forced (edgellm.export.externalData=true): with the embedding sharing the
    // lm_head's 4-bit weight this q4 model is 2.01 GB, 139 MB under protobuf's 2 GiB, so it would
    // otherwise be written as one embedded file. A dry run gives a smaller config and chunk size.
    Exporter exporter =
        new Exporter(log)
            .withExternalData(
                true,
                args.length > 2
                    ? Long.parseLong(args[2])
                    : dev.edgellm.onnx.ExternalDataWriter.DEFAULT_CHUNK_BYTES);
    Measured<ExportResult> exported =
        Measured.run(
            () -> exporter.export(new ExportRequest(ckpt, out, Precision.Q4, Embeddings.SHARED)));
    ExportResult r = exported.result();
    StringBuilder files = new StringBuilder();
    for (Path f : r.files()) {
      files.append(String.format(Locale.ROOT, "%n  %s %,d bytes", f.getFileName(), Files.size(f)));
    }
    System.out.printf(
        Locale.ROOT,
        "EXPORT q4: %.1f s, %,d bytes in %d files, peak heap %.0f MB (-Xmx %.0f MB), %d cores:%s%n",
        exported.wallSeconds(),
        r.bytes(),
        r.files().size(),
        exported.peakHeapMb(),
        Runtime.getRuntime().maxMemory() / 1e6,
        Runtime.getRuntime().availableProcessors(),
        files);

    Path dir = work.resolve("public/models/llama-3.2-3b-random");
    long t1 = System.nanoTime();
    StageResult staged =
        new Stager(log).stage(new StageRequest(ckpt, r.model(), dir, Layout.LOCAL));
    double stageSecs = (System.nanoTime() - t1) / 1e9;
    long total = staged.files().stream().mapToLong(StagedFile::size).sum();
    System.out.printf(
        Locale.ROOT,
        "STAGE: %.1f s, %d files, %,d bytes; transformers.js_config: %s%n",
        stageSecs,
        staged.files().size(),
        total,
        Json.read(dir.resolve("config.json")).path("transformers.js_config"));

    // A 3B model is for WebGPU (wasm32's 4 GB heap cannot hold it either), and its shared 4-bit
    // embedding has no kernel in onnxruntime-web's WASM build: ops.wasm is a warning here.
    Measured<ValidationReport> validated =
        Measured.run(
            () ->
                new Validator(log)
                    .validate(
                        ValidationRequest.of(dir)
                            .withReportDirectory(work.resolve("report"))
                            .withAllowWebGpuOnly(true)));
    ValidationReport report = validated.result();
    System.out.printf(
        Locale.ROOT,
        "VALIDATE: %.1f s, peak heap %.0f MB: %s%n",
        validated.wallSeconds(),
        validated.peakHeapMb(),
        report.summary());
    for (CheckResult c : report.checks()) {
      System.out.printf(
          Locale.ROOT,
          "  %-8s %s%s%n",
          c.status(),
          c.id(),
          c.id().equals("model.external-data")
                  || c.id().equals("run.greedy")
                  || c.id().equals("model.size")
              ? " " + c.details()
              : "");
      if (c.status() == CheckStatus.FAILED || c.status() == CheckStatus.WARNING) {
        c.findings().forEach(f -> System.out.println("           " + f.message()));
      }
    }
    if (!report.passed()) {
      System.exit(1);
    }
  }

  /**
   * tiny-llama's tokenizer with Llama 3's special tokens added at their ids, and a
   * tokenizer_config.json naming them.
   */
  private static void writeTokenizer(Path from, Path to) throws Exception {
    ObjectNode tokenizer = Json.readObject(from.resolve("tokenizer.json"));
    ArrayNode added = (ArrayNode) tokenizer.get("added_tokens");
    String[][] special = {
      {"128000", "<|begin_of_text|>"},
      {"128001", "<|end_of_text|>"},
      {"128008", "<|eom_id|>"},
      {"128009", "<|eot_id|>"}
    };
    for (String[] s : special) {
      ObjectNode t = added.addObject();
      t.put("id", Integer.parseInt(s[0]));
      t.put("content", s[1]);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    Files.writeString(to.resolve("tokenizer.json"), Json.pretty(tokenizer));
    ObjectNode config = Json.readObject(from.resolve("tokenizer_config.json"));
    config.remove("added_tokens_decoder");
    config.put("bos_token", "<|begin_of_text|>");
    config.put("eos_token", "<|eot_id|>");
    config.remove("pad_token");
    Files.writeString(to.resolve("tokenizer_config.json"), Json.pretty(config));
  }
}
