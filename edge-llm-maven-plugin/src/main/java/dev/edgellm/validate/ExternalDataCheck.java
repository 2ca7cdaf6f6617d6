package dev.edgellm.validate;

import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model.external-data}: a model whose weights are in external data has exactly the chunks
 * Transformers.js 4.x fetches for it: config.json's {@code use_external_data_format} gives their
 * count N for the model file, and it fetches {@code <model>_data}, {@code <model>_data_1}, … {@code
 * _data_<N-1>} (at most 100) and mounts them under those bare names. So: every location the tensors
 * give is one of those names (no folder), every offset and length lies inside its chunk (checked
 * while the model is read: see {@code model.parses}), each of the N chunks exists and is under 2
 * GiB (one browser buffer), none is downloaded for nothing, and no further chunk lies beside them
 * unfetched. Skipped for a model without external data that declares none.
 */
final class ExternalDataCheck implements Check {
  @Override
  public String id() {
    return "model.external-data";
  }

  @Override
  public String title() {
    return "External data chunks match transformers.js_config.use_external_data_format";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    String file = ctx.modelFile();
    String folder = file.substring(0, file.lastIndexOf('/') + 1);
    String name = file.substring(file.lastIndexOf('/') + 1);
    String base = ExternalDataWriter.dataBaseName(name);
    int declared = ctx.declaredChunks();
    List<OnnxModel.ExternalFile> used = ctx.externalData();
    out.detail("declaredChunks", declared);
    if (declared == 0 && used.isEmpty()) {
      // one embedded file, and config.json has Transformers.js fetch no chunk: nothing to match
      out.detail("externalDataBytes", 0L);
      return;
    }
    if (declared > 0 && used.isEmpty()) {
      out.error(
          "config.json",
          "transformers.js_config.use_external_data_format declares "
              + declared
              + " chunk(s) for "
              + name
              + ": Transformers.js requests "
              + folder
              + base
              + ", which a single embedded model does not have",
          "Remove use_external_data_format from config.json (stage again: stage declares only the"
              + " chunks it writes)");
      return;
    }
    if (declared > ExternalDataWriter.MAX_CHUNKS) {
      out.error(
          "config.json",
          "use_external_data_format declares "
              + declared
              + " chunks; Transformers.js loads at most "
              + ExternalDataWriter.MAX_CHUNKS,
          "Export again with a larger edgellm.export.externalDataChunkBytes");
    }
    boolean[] referenced = new boolean[Math.max(declared, 0)];
    Map<String, Object> perChunk = new LinkedHashMap<>();
    for (OnnxModel.ExternalFile u : used) {
      int index = ExternalDataWriter.chunkIndex(u.location(), base);
      if (index < 0) {
        out.error(
            file,
            file
                + " keeps "
                + u.tensors()
                + " tensor(s) in '"
                + u.location()
                + "', which is not a chunk name Transformers.js fetches for it ("
                + base
                + ", "
                + ExternalDataWriter.chunkName(base, 1)
                + ", ...): the session fails to find that data in the browser",
            "Stage the model again (stage renames or rewrites the data into chunks)");
        continue;
      }
      if (index >= declared) {
        out.error(
            file,
            file
                + " keeps "
                + u.tensors()
                + " tensor(s) in chunk "
                + u.location()
                + " but config.json declares only "
                + declared
                + " chunk(s), so Transformers.js never fetches it",
            "Set use_external_data_format to {\""
                + name
                + "\": "
                + (index + 1)
                + "} or more (stage again: stage declares every chunk)");
        continue;
      }
      referenced[index] = true;
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("size", u.size());
      c.put("tensors", u.tensors());
      c.put("bytes", u.bytes());
      c.put("end", u.end());
      perChunk.put(folder + u.location(), c);
    }
    List<String> missing = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < declared && i <= ExternalDataWriter.MAX_CHUNKS; i++) {
      String chunk = folder + ExternalDataWriter.chunkName(base, i);
      Path p = ctx.file(chunk);
      if (!Files.isRegularFile(p)) {
        missing.add(chunk);
        continue;
      }
      long size = Files.size(p);
      total += size;
      if (size > ExternalDataWriter.MAX_CHUNK_BYTES) {
        out.error(
            chunk,
            chunk
                + " is "
                + size
                + " bytes, 2 GiB or more: a browser cannot fetch it into one buffer",
            "Export again with edgellm.export.externalDataChunkBytes under 2147483647");
      }
      if (!referenced[i]) {
        out.warn(
            chunk,
            chunk + " holds no tensor of " + file + ": it is downloaded for nothing",
            "Stage again");
      }
    }
    if (!missing.isEmpty()) {
      out.error(
          missing.get(0),
          "config.json declares "
              + declared
              + " chunk(s) for "
              + name
              + ", so Transformers.js fetches "
              + String.join(", ", missing)
              + ", which "
              + (missing.size() == 1 ? "does" : "do")
              + " not exist: loading fails",
          "Copy the missing chunk(s) from the export folder, or stage again");
    }
    for (String f : ctx.listOnnxFolder()) {
      int index = ExternalDataWriter.chunkIndex(f.substring(f.lastIndexOf('/') + 1), base);
      if (index >= declared) {
        out.warn(
            f,
            f
                + " is never fetched (config.json declares "
                + declared
                + " chunk(s)); it only adds to the deployment",
            "Delete it, or stage again");
      }
    }
    out.detail("chunks", perChunk);
    out.detail("chunkBytes", total);
    out.detail("externalDataBytes", ctx.externalDataBytes());
  }
}
