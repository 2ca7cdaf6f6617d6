package dev.edgellm.fuzz;

import dev.edgellm.adapter.Adapter;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.ConfigReader;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.hub.HubAnswers;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.stage.ChatTemplates;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The readers of untrusted bytes, each as one fuzz target: bytes in, the reader's result or a typed
 * {@link UserErrorException} out. Anything else escaping (a RuntimeException, an Error, an
 * IOException on bytes that were written fine) is a finding. Readers take files, so the bytes go
 * into a per-process scratch folder (in /dev/shm where there is one). The readers that memory-map
 * their file (safetensors, ONNX) get a new file per execution, deleted after it: rewriting a file
 * that earlier executions still map (the mappings live until a GC) costs the kernel milliseconds
 * per write, which made these targets 20 times slower.
 */
public enum Readers {
  /** safetensors: 8-byte length, JSON header (dtypes, shapes, offsets), every tensor read. */
  SAFETENSORS("model.safetensors", true, 4096) {
    @Override
    void read(Path file) {
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        for (TensorInfo t : f.tensors().values()) {
          if (t.dtype().isExportableFloat() && t.byteLength() <= 1 << 20) {
            f.readFloats(t);
          }
        }
      }
    }
  },
  /**
   * ONNX: the protobuf, its graph and tensors, external data references ({@code model.onnx_data}).
   */
  ONNX("model.onnx", true, 16384) {
    @Override
    void read(Path file) throws IOException {
      try (OnnxModel m = OnnxModel.read(file)) {
        m.proto().getSerializedSize();
      }
    }
  },
  /** config.json: the checkpoint's architecture numbers, rope, layer types. */
  CONFIG("config.json", false, 4096) {
    @Override
    void read(Path file) {
      ConfigReader.read(file.getParent());
    }
  },
  /** tokenizer_config.json as stage reads it: a JSON object with a chat template to check. */
  TOKENIZER_CONFIG("tokenizer_config.json", false, 8192) {
    @Override
    void read(Path file) throws IOException {
      var config = Json.readObject(file);
      ChatTemplates.toInline(file.getParent(), config);
    }
  },
  /**
   * The Hub client's handling of HTTP answers (status, {@code ETag}, {@code X-Repo-Commit}, {@code
   * X-Linked-Size}, {@code Location}, {@code Content-Range}, error headers, the revision's JSON),
   * answered from memory: see {@link HubAnswers}.
   */
  HUB("hub-answers.txt", false, 4096) {
    @Override
    void read(Path file) {
      throw new UnsupportedOperationException("fuzzed from memory");
    }

    @Override
    public void fuzz(byte[] data) throws IOException {
      HubAnswers.fuzz(data, Fuzzing.folder(this));
    }
  },
  /** adapter_config.json (PEFT beside tiny-llama's adapter weights), merged onto tiny-llama. */
  ADAPTER_CONFIG("adapter_config.json", false, 4096) {
    @Override
    void read(Path file) {
      Adapter a = Adapter.open(file.getParent());
      try (Checkpoint base = Checkpoint.open(Fuzzing.base());
          Checkpoint merged = a.applyTo(base, Reporter.silent())) {
        merged.config();
      }
    }
  };

  /** The file name the fuzzed bytes are written to. */
  final String fileName;

  /** Whether the reader memory-maps the file (then each execution writes a new one). */
  private final boolean mapped;

  /**
   * The largest input the fuzzer makes (libFuzzer's {@code -max_len}): a few times the seeds, room
   * for every structure the reader knows, small enough to mutate fast.
   */
  final int maxLength;

  private long executions;

  Readers(String fileName, boolean mapped, int maxLength) {
    this.fileName = fileName;
    this.mapped = mapped;
    this.maxLength = maxLength;
  }

  /** Reads {@code file} (the fuzzed bytes) as the product does. */
  abstract void read(Path file) throws IOException;

  /** Writes {@code data} where this reader looks for it and reads it; typed errors are fine. */
  public void fuzz(byte[] data) throws IOException {
    Path file = Fuzzing.folder(this).resolve(mapped ? (executions++) + "." + fileName : fileName);
    Files.write(file, data);
    try {
      read(file);
    } catch (UserErrorException e) {
      // a typed error: what the reader must do with bad bytes
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      if (this == TOKENIZER_CONFIG) {
        return; // stage maps Json.readObject's parse errors to a StageException naming the file
      }
      throw e;
    } finally {
      if (mapped) {
        Files.delete(file);
      }
    }
  }

  /** The file names of this reader's seeds under the fixtures (see {@link Fuzzing#seeds}). */
  List<String> seedNames() {
    return List.of(fileName);
  }

  static void copy(Path from, Path to) {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
