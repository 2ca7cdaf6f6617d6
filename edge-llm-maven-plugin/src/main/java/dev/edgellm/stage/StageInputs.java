package dev.edgellm.stage;

import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What stage checks before it writes anything: the input folders and files, and the model. */
final class StageInputs {
  private StageInputs() {}

  /**
   * Refuses inputs that are missing or in the wrong place: the checkpoint and tokenizer folders,
   * the model file, and a staging folder that overlaps them or is not a folder.
   */
  static void check(Path checkpoint, Path tokenizers, boolean tokenizerSet, Path model, Path target)
      throws StageException {
    if (!Files.isDirectory(checkpoint)) {
      throw new StageException(
          "Checkpoint folder "
              + checkpoint
              + " does not exist; set "
              + Properties.CHECKPOINT
              + " to the folder with config.json and the tokenizer files");
    }
    if (!Files.isRegularFile(checkpoint.resolve("config.json"))) {
      throw new StageException(
          "config.json missing in "
              + checkpoint
              + "; copy it from the base model on the Hub (Transformers.js needs it)");
    }
    if (tokenizerSet && !Files.isDirectory(tokenizers)) {
      throw new StageException(
          "Tokenizer folder "
              + tokenizers
              + " does not exist; fix "
              + Properties.STAGE_TOKENIZER
              + " or remove it"
              + " to take the tokenizer files from the checkpoint");
    }
    for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
      if (!Files.isRegularFile(tokenizers.resolve(name))) {
        throw new StageException(
            name
                + " missing in "
                + tokenizers
                + "; copy it from the base model on the Hub (Transformers.js needs it)"
                + (tokenizerSet
                    ? ""
                    : " or set "
                        + Properties.STAGE_TOKENIZER
                        + " to a folder that has the tokenizer files"));
      }
    }
    if (!Files.isRegularFile(model)) {
      throw new StageException(
          "ONNX model "
              + model
              + " does not exist; run the export and quantize goals first, or set "
              + Properties.STAGE_MODEL);
    }
    if (target.getParent() == null || target.getFileName() == null) {
      throw new StageException(
          "Cannot stage into "
              + target
              + "; set "
              + Properties.STAGE_DIRECTORY
              + " to a folder like public/models/NAME");
    }
    if (checkpoint.startsWith(target)
        || target.startsWith(checkpoint)
        || model.startsWith(target)) {
      throw new StageException(
          "The staging folder "
              + target
              + " overlaps the checkpoint or the model; choose another "
              + Properties.STAGE_DIRECTORY);
    }
    if (Files.isSymbolicLink(target) || Files.isRegularFile(target)) {
      throw new StageException(
          target
              + " exists and is not a folder; remove it or choose another "
              + Properties.STAGE_DIRECTORY);
    }
    if (Files.isDirectory(target)
        && !Files.isRegularFile(target.resolve(Stager.MANIFEST))
        && !isEmpty(target)) {
      throw new StageException(
          target
              + " exists but was not written by stage (it has no "
              + Stager.MANIFEST
              + "); stage only replaces its own folders:"
              + " remove it or choose another "
              + Properties.STAGE_DIRECTORY);
    }
  }

  /** {@code what} (a model and its size in bytes) is over {@code edgellm.maxModelBytes}. */
  private static StageException overLimit(String what, long maxModelBytes) {
    return new StageException(
        what
            + " bytes, over the limit "
            + Properties.MAX_MODEL_BYTES
            + "="
            + maxModelBytes
            + "; quantize it, pick a smaller model or raise "
            + Properties.MAX_MODEL_BYTES);
  }

  /**
   * The model's quantization; refuses a model over the size limits (the .onnx file, and with its
   * external data when {@code maxModelBytes} is under 2 GiB) or whose external data is unsafe.
   */
  static QuantizationSummary inspectModel(Path model, long maxModelBytes)
      throws StageException, IOException {
    long size = Files.size(model);
    if (size > OnnxModel.PROTOBUF_LIMIT) {
      throw new StageException(
          model
              + " is "
              + megabytes(size)
              + " MB, over protobuf's 2 GiB limit: browsers cannot load it as one file;"
              + " quantize it (the quantize goal writes 4-bit weights) or pick a smaller model");
    }
    if (size > maxModelBytes) {
      throw overLimit(model + " is " + size, maxModelBytes);
    }
    try (OnnxModel onnx = OnnxModel.read(model)) {
      if (maxModelBytes < OnnxModel.PROTOBUF_LIMIT && onnx.totalSize() > maxModelBytes) {
        throw overLimit(model + " with its external data is " + onnx.totalSize(), maxModelBytes);
      }
      return QuantizationSummary.of(onnx.proto());
    } catch (OnnxFormatException e) {
      throw new StageException(e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  static long megabytes(long bytes) {
    return Math.round(bytes / 1048576.0);
  }
}
