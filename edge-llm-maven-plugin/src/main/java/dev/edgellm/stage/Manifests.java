package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.adapter.Adapter;
import dev.edgellm.util.Json;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The {@code edge-llm.json} manifest {@link Stager} writes into a staged folder. */
final class Manifests {
  private Manifests() {}

  static ObjectNode manifest(
      Path target,
      ObjectNode config,
      Path checkpoint,
      Layout layout,
      String dtype,
      String modelFile,
      QuantizationSummary quantization,
      List<StagedFile> files,
      String templateSource,
      Adapter adapter)
      throws IOException {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("format", "edge-llm-model/1");
    m.put("name", target.getFileName().toString());
    m.put("demo", config.path("edge_llm_demo").asBoolean(false));
    m.put("modelType", config.path("model_type").asText(null));
    m.put("layout", layout.id());
    m.put("dtype", dtype);
    m.put("model", modelFile);
    m.put("chatTemplate", templateSource);
    long total = 0;
    ArrayNode list = m.putArray("files");
    for (StagedFile f : files) {
      ObjectNode o = list.addObject();
      o.put("path", f.path());
      o.put("size", f.size());
      o.put("sha256", f.sha256());
      total += f.size();
    }
    m.put("totalSize", total);
    m.set("quantization", quantization.toJson());
    ObjectNode source = m.putObject("source");
    source.put("checkpoint", checkpoint.getFileName().toString());
    source.set("architectures", config.path("architectures").deepCopy());
    source.put("configSha256", Sha256.of(checkpoint.resolve("config.json")));
    if (adapter != null) {
      // the fine-tuning adapter the export merged into the checkpoint's weights
      ObjectNode a = source.putObject("adapter");
      a.put("path", adapterSource(adapter.dir()));
      a.put("layout", adapter.layout().id());
      a.put("file", adapter.layout().weightsFile());
      a.put("sha256", adapter.weightsSha256());
      a.put("configSha256", Sha256.of(adapter.dir().resolve("adapter_config.json")));
    }
    ObjectNode validation = m.putObject("validation");
    validation.put("status", "not-run");
    return m;
  }

  /**
   * How edge-llm.json names an adapter: {@code org/name@commit} for a snapshot folder of the
   * huggingface_hub cache ({@code models--org--name/snapshots/<commit>}), else the folder's name.
   */
  static String adapterSource(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    Path parent = d.getParent();
    Path repo = parent == null ? null : parent.getParent();
    if (repo != null
        && parent.getFileName().toString().equals("snapshots")
        && repo.getFileName().toString().startsWith("models--")) {
      return repo.getFileName().toString().substring("models--".length()).replace("--", "/")
          + "@"
          + d.getFileName();
    }
    return d.getFileName().toString();
  }
}
