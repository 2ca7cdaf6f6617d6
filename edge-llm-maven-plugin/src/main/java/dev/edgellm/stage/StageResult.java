package dev.edgellm.stage;

import java.nio.file.Path;
import java.util.List;

/**
 * What stage wrote: the folder, the model's path inside it, the dtype config.json declares, and
 * every file.
 */
public record StageResult(
    Path directory,
    String modelFile,
    String dtype,
    QuantizationSummary quantization,
    List<StagedFile> files) {}
