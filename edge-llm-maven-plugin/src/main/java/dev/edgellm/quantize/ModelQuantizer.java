package dev.edgellm.quantize;

import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UpToDateCheck;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The quantize goal's runner: checks the request, skips when the output is up to date, reads the
 * ONNX model, applies the {@link QuantizationPass} and writes the result as one embedded file (to a
 * temporary name renamed into place), logging progress and a summary. The weights, names, opset
 * imports and node order follow onnxruntime 1.30's {@code MatMulNBitsQuantizer}, so the output file
 * is byte-identical to onnxruntime's (see {@link BlockQuantizer}).
 */
public final class ModelQuantizer {
  private ModelQuantizer() {}

  /**
   * The up-to-date check of {@code req}: the input model file and the files beside it whose names
   * start with its name (external data such as {@code model.onnx_data}), by size and time, and
   * every setting; the fingerprint is kept beside the output ({@code .<output
   * name>.edge-llm-quantize}).
   */
  public static UpToDateCheck upToDateCheck(QuantizeRequest req) {
    return upToDateCheck(req, ExternalDataWriter.Policy.WHEN_NEEDED);
  }

  /** {@link #upToDateCheck(QuantizeRequest)} with the external data settings. */
  public static UpToDateCheck upToDateCheck(
      QuantizeRequest req, ExternalDataWriter.Policy external) {
    Path input = req.input().toAbsolutePath().normalize();
    Path output = req.output().toAbsolutePath().normalize();
    List<Path> inputs = new ArrayList<>();
    inputs.add(input);
    Path dir = input.getParent();
    if (dir != null && Files.isDirectory(dir)) {
      String name = input.getFileName().toString();
      try (var files = Files.list(dir)) {
        files
            .filter(f -> !f.equals(input) && f.getFileName().toString().startsWith(name))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(inputs::add);
      } catch (IOException e) {
        // the input itself is fingerprinted; run() reports an unreadable folder
      }
    }
    Map<String, String> settings = new TreeMap<>();
    settings.put(Properties.QUANTIZE_BLOCK_SIZE, Integer.toString(req.blockSize()));
    settings.put(Properties.QUANTIZE_SYMMETRIC, Boolean.toString(req.symmetric()));
    settings.put(Properties.QUANTIZE_ACCURACY_LEVEL, Integer.toString(req.accuracyLevel()));
    settings.put(
        Properties.QUANTIZE_EXCLUDE_NODES, String.join(",", new TreeSet<>(req.excludeNodes())));
    settings.put(Properties.QUANTIZE_EMBEDDINGS, Boolean.toString(req.embeddings()));
    settings.put(Properties.QUANTIZE_METHOD, req.method().id());
    settings.put(Properties.QUANTIZE_KEEP, req.keep().id());
    settings.put(Properties.QUANTIZE_OUTPUT, output.toString());
    settings.put(Properties.MAX_MODEL_BYTES, Long.toString(req.maxOutputBytes()));
    if (!external.equals(ExternalDataWriter.Policy.WHEN_NEEDED)) {
      settings.put(Properties.QUANTIZE_EXTERNAL_DATA, Boolean.toString(external.always()));
      settings.put(
          Properties.QUANTIZE_EXTERNAL_DATA_CHUNK_BYTES, Long.toString(external.chunkBytes()));
    }
    return UpToDateCheck.of(
        output.resolveSibling("." + output.getFileName() + ".edge-llm-quantize"),
        "edge-llm:quantize",
        settings,
        inputs);
  }

  /**
   * {@link #run} unless the output is up to date (same input files, same settings, output as
   * written): then logs that it skips and returns empty. Records the fingerprint after a run.
   */
  public static Optional<QuantizeResult> runUnlessUpToDate(QuantizeRequest req, Reporter reporter)
      throws UserErrorException, IOException {
    return runUnlessUpToDate(req, ExternalDataWriter.Policy.WHEN_NEEDED, reporter);
  }

  /**
   * {@link #runUnlessUpToDate(QuantizeRequest, Reporter)} writing external data by {@code
   * external}.
   */
  public static Optional<QuantizeResult> runUnlessUpToDate(
      QuantizeRequest req, ExternalDataWriter.Policy external, Reporter reporter)
      throws UserErrorException, IOException {
    UpToDateCheck check = upToDateCheck(req, external);
    if (check.skipIfUpToDate(
        reporter,
        "input model and settings",
        "delete " + req.output() + " or change a setting to rebuild")) {
      return Optional.empty();
    }
    QuantizeResult result = run(req, external, reporter);
    check.record(result.files());
    return Optional.of(result);
  }

  /**
   * Runs the stage: validates the request, reads, quantizes, writes (to a temporary file renamed
   * into place), and logs progress and a summary through {@code reporter}.
   *
   * @throws UserErrorException a bad setting, an input that is not a usable ONNX model, an output
   *     path equal to the input, or an output over the size limit; nothing is written then
   * @throws IOException reading or writing failed
   */
  public static QuantizeResult run(QuantizeRequest req, Reporter reporter)
      throws UserErrorException, IOException {
    return run(req, ExternalDataWriter.Policy.WHEN_NEEDED, reporter);
  }

  /**
   * {@link #run(QuantizeRequest, Reporter)}, writing {@code model.onnx} + external data chunks
   * ({@code <output>_data}, {@code <output>_data_1}, …) when {@code external} says always, or when
   * the output would be over protobuf's 2 GiB limit.
   */
  public static QuantizeResult run(
      QuantizeRequest req, ExternalDataWriter.Policy external, Reporter reporter)
      throws UserErrorException, IOException {
    long t0 = System.nanoTime();
    validate(req);
    if (!external.validChunkSize()) {
      throw new UserErrorException(
          "external data chunk size "
              + external.chunkBytes()
              + " is out of range; set -D"
              + Properties.QUANTIZE_EXTERNAL_DATA_CHUNK_BYTES
              + " to 1 to 2147483647 bytes (default 1073741824)");
    }
    Path out = req.output().toAbsolutePath().normalize();
    try (OnnxModel in = OnnxModel.read(req.input())) {
      String outData = ExternalDataWriter.dataBaseName(out.getFileName().toString());
      for (Path ext : in.externalFiles()) {
        if (Files.isDirectory(out.getParent())
            && ext.getParent().equals(out.getParent().toRealPath())
            && ExternalDataWriter.chunkIndex(ext.getFileName().toString(), outData) >= 0) {
          throw new UserErrorException(
              "quantize output "
                  + out
                  + " would write or delete "
                  + ext.getFileName()
                  + ", an external data file of the input model; set output (-D"
                  + Properties.QUANTIZE_OUTPUT
                  + ") to another name or folder");
        }
        if (OnnxWriter.sameFile(ext, out)) {
          throw new UserErrorException(
              "quantize output "
                  + out
                  + " is an external data file of the input model; set output (-D"
                  + Properties.QUANTIZE_OUTPUT
                  + ") to another path");
        }
      }
      reporter.info(
          String.format(
              Locale.ROOT,
              "quantize: %s (%.1f MB%s), block size %d, %s%s%s",
              in.file(),
              ProgressMeter.mb(in.totalSize()),
              in.externalDataSize() > 0 ? ", with external data" : "",
              req.blockSize(),
              req.symmetric() ? "symmetric" : "asymmetric",
              req.accuracyLevel() != 0 ? ", accuracy level " + req.accuracyLevel() : "",
              req.embeddings() ? ", embeddings too" : ""));
      long t1 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: read in %.3f s", (t1 - t0) / 1e9));
      QuantizationPass.Outcome o = QuantizationPass.apply(in.proto(), req, reporter);
      long t2 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: quantized in %.3f s", (t2 - t1) / 1e9));
      if (o.quantized() == 0) {
        reporter.warn(
            "quantize: no MatMul with a 2-D fp32/fp16 initializer as B"
                + (req.embeddings() ? " and no Gather over one" : "")
                + " in "
                + in.file()
                + "; the output is the input unchanged");
      }
      long size = OnnxWriter.serializedSize(o.model());
      List<Path> files = new ArrayList<>(List.of(out));
      long written;
      if (external.always() || size > OnnxWriter.DEFAULT_LIMIT) {
        if (size > req.maxOutputBytes() && req.maxOutputBytes() < OnnxWriter.DEFAULT_LIMIT) {
          OnnxWriter.writeEmbedded(o.model(), out, req.maxOutputBytes()); // refuses, writes nothing
        }
        ExternalDataWriter.Result r =
            ExternalDataWriter.writeModel(o.model(), out, external.options());
        files = new ArrayList<>(r.files());
        written = r.modelBytes() + r.dataBytes();
        reporter.info(
            String.format(
                Locale.ROOT,
                "quantize: %s with %d external data chunk(s) (%,d bytes of %d tensors)",
                out.getFileName(),
                r.chunks().size(),
                r.tensorBytes(),
                r.tensors()));
      } else {
        written = OnnxWriter.writeEmbedded(o.model(), out, req.maxOutputBytes());
        ExternalDataWriter.deleteChunks(out); // an earlier run's, no longer referenced
      }
      long t3 = System.nanoTime();
      reporter.debug(String.format(Locale.ROOT, "quantize: written in %.3f s", (t3 - t2) / 1e9));
      double secs = (t3 - t0) / 1e9;
      reporter.info(
          String.format(
              Locale.ROOT,
              "quantize: wrote %s: input %.1f MB, output %.1f MB, %d tensors quantized, %d"
                  + " tensors left as they were, %.2f s (%.1f MB/s)",
              out,
              ProgressMeter.mb(in.totalSize()),
              ProgressMeter.mb(written),
              o.quantized(),
              o.left(),
              secs,
              ProgressMeter.mb(in.totalSize()) / secs));
      return new QuantizeResult(
          out, in.totalSize(), written, o.quantized(), o.left(), secs, List.copyOf(files));
    }
  }

  private static void validate(QuantizeRequest req) throws UserErrorException, IOException {
    if (!BlockQuantizer.isValidBlockSize(req.blockSize())) {
      throw new UserErrorException(
          "quantize block size "
              + req.blockSize()
              + " is not supported; set blockSize (-D"
              + Properties.QUANTIZE_BLOCK_SIZE
              + ") to 16, 32, 64, 128 or 256");
    }
    if (req.accuracyLevel() < 0 || req.accuracyLevel() > 4) {
      throw new UserErrorException(
          "quantize accuracy level "
              + req.accuracyLevel()
              + " is not supported; set accuracyLevel (-D"
              + Properties.QUANTIZE_ACCURACY_LEVEL
              + ") to 0 (unset), 1 (fp32),"
              + " 2 (fp16), 3 (bf16) or 4 (int8)");
    }
    if (req.input() == null || req.output() == null) {
      throw new UserErrorException(
          "quantize needs an input and an output model; set input (-D"
              + Properties.QUANTIZE_INPUT
              + ") and output (-D"
              + Properties.QUANTIZE_OUTPUT
              + ")");
    }
    if (OnnxWriter.sameFile(req.input(), req.output())) {
      throw new UserErrorException(
          "quantize output "
              + req.output().toAbsolutePath().normalize()
              + " is the input model; set output (-D"
              + Properties.QUANTIZE_OUTPUT
              + ") to another path, the input is never overwritten");
    }
    if (!Files.exists(req.input())) {
      throw new UserErrorException(
          "quantize input "
              + req.input().toAbsolutePath().normalize()
              + " does not exist; run the export goal first or set input (-D"
              + Properties.QUANTIZE_INPUT
              + ") to an .onnx file");
    }
  }
}
