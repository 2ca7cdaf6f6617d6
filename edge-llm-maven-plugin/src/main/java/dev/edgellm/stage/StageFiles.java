package dev.edgellm.stage;

import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.ModelTensors;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.SafePaths;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes and copies the files {@link Stager} stages: text, the model and its data chunks. */
final class StageFiles {
  private final Reporter log;

  StageFiles(Reporter log) {
    this.log = log;
  }

  StagedFile writeText(Path root, String relative, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Files.write(SafePaths.inside(root, relative), bytes);
    return new StagedFile(relative, bytes.length, Sha256.hex(Sha256.newDigest().digest(bytes)));
  }

  StagedFile copy(Path root, String relative, Path source) throws IOException {
    return copy(root, relative, source, false);
  }

  private StagedFile copyModel(Path root, String relative, Path source) throws IOException {
    return copy(root, relative, source, true);
  }

  /**
   * Stages the model as {@code relative} ({@code onnx/model.onnx}) and its external data, if any,
   * as the chunks Transformers.js fetches for that name ({@code onnx/model.onnx_data}, {@code
   * onnx/model.onnx_data_1}, …). Chunks already in that layout (ours, under another model name too)
   * are copied, the model's locations renamed when the name differs; any other layout (onnx's
   * {@code model.onnx.data}, one file per tensor, a data file of 2 GiB or more) is rewritten into 1
   * GiB chunks. Returns the model, then the chunks in order.
   */
  List<StagedFile> stageModel(Path root, String relative, Path source)
      throws StageException, IOException {
    Path target = SafePaths.inside(root, relative);
    String base = ExternalDataWriter.dataBaseName(target.getFileName().toString());
    try (OnnxModel onnx = OnnxModel.read(source)) {
      List<OnnxModel.ExternalFile> data = onnx.externalData();
      if (data.isEmpty()) {
        return List.of(copyModel(root, relative, source));
      }
      String folder =
          relative.substring(0, relative.length() - target.getFileName().toString().length());
      String sourceBase = ExternalDataWriter.dataBaseName(source.getFileName().toString());
      Map<String, String> renamed = new TreeMap<>();
      for (OnnxModel.ExternalFile f : data) {
        int index = ExternalDataWriter.chunkIndex(f.location(), sourceBase);
        if (index < 0 || index >= data.size() || f.size() > ExternalDataWriter.MAX_CHUNK_BYTES) {
          renamed = null;
          break;
        }
        renamed.put(f.location(), ExternalDataWriter.chunkName(base, index));
      }
      List<StagedFile> out = new ArrayList<>();
      if (renamed == null) {
        log.info(
            source.getFileName()
                + "'s external data ("
                + data.size()
                + " file(s), "
                + data.get(0).location()
                + ", ...) is not in the chunk layout Transformers.js fetches; rewriting it as "
                + base
                + ", ...");
        ExternalDataWriter.Result r =
            ExternalDataWriter.writeModel(onnx.proto(), target, ExternalDataWriter.Options.DEFAULT);
        for (Path p : r.files()) {
          out.add(new StagedFile(folder + p.getFileName(), Files.size(p), Sha256.of(p)));
        }
        return out;
      }
      Map<String, String> names = renamed;
      if (sourceBase.equals(base)) {
        out.add(copyModel(root, relative, source));
      } else {
        ModelProto relocated =
            ModelTensors.rewrite(onnx.stored(), (t, where) -> relocate(t, names));
        OnnxWriter.writeStored(relocated, target);
        out.add(new StagedFile(relative, Files.size(target), Sha256.of(target)));
      }
      for (int i = 0; i < data.size(); i++) {
        String chunk = ExternalDataWriter.chunkName(sourceBase, i);
        out.add(
            copy(
                root,
                folder + ExternalDataWriter.chunkName(base, i),
                source.resolveSibling(chunk),
                true));
      }
      return out;
    } catch (OnnxFormatException e) {
      throw new StageException(e.getMessage(), e);
    }
  }

  private static TensorProto relocate(TensorProto t, Map<String, String> names) {
    if (!Tensors.isExternal(t)) {
      return t;
    }
    TensorProto.Builder b = t.toBuilder();
    for (int i = 0; i < b.getExternalDataCount(); i++) {
      StringStringEntryProto e = b.getExternalData(i);
      if (e.getKey().equals("location")) {
        b.setExternalData(i, e.toBuilder().setValue(names.get(e.getValue())));
      }
    }
    return b.build();
  }

  private StagedFile copy(Path root, String relative, Path source, boolean progress)
      throws IOException {
    MessageDigest digest = Sha256.newDigest();
    long total = Files.size(source);
    long copied = 0;
    long start = System.nanoTime();
    long nextReport = 256L << 20;
    try (InputStream in = Files.newInputStream(source);
        OutputStream out =
            new DigestOutputStream(
                Files.newOutputStream(SafePaths.inside(root, relative)), digest)) {
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        copied += n;
        if (progress && copied >= nextReport) {
          double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
          log.info(
              String.format(
                  "Copying %s: %d of %d MB (%.0f MB/s)",
                  relative, copied >> 20, total >> 20, (copied >> 20) / seconds));
          nextReport += 256L << 20;
        }
      }
    }
    return new StagedFile(relative, copied, Sha256.hex(digest.digest()));
  }
}
