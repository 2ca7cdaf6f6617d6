package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.stage.Stager;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code files.manifest}: the files still have the sizes and SHA-256 sums stage recorded in
 * edge-llm.json (nothing was edited or half-copied since).
 */
final class ManifestCheck implements Check {
  @Override
  public String id() {
    return "files.manifest";
  }

  @Override
  public String title() {
    return "Files match edge-llm.json (sizes, SHA-256)";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    if (!Files.isRegularFile(ctx.file(Stager.MANIFEST))) {
      out.warn(
          Stager.MANIFEST,
          "No edge-llm.json: the folder was not written by the stage goal, so sizes and checksums are unknown",
          "Stage the model with the stage goal");
      return;
    }
    ObjectNode manifest;
    try {
      manifest = ctx.json(Stager.MANIFEST);
    } catch (SkipCheck e) {
      out.error(Stager.MANIFEST, "edge-llm.json is not valid JSON", "Stage again");
      return;
    }
    int verified = 0;
    for (JsonNode f : manifest.path("files")) {
      String path = f.path("path").asText();
      Path file = ctx.file(path);
      if (!Files.isRegularFile(file)) {
        continue; // files.present reports missing files
      }
      long size = Files.size(file);
      if (size != f.path("size").asLong(-1)) {
        out.error(
            path,
            path
                + " is "
                + size
                + " bytes but was staged with "
                + f.path("size").asLong()
                + " (changed or truncated since staging)",
            "Stage again");
        continue;
      }
      if (!dev.edgellm.util.Sha256.of(file).equals(f.path("sha256").asText())) {
        out.error(
            path,
            path + " changed since staging (SHA-256 differs from edge-llm.json)",
            "Stage again");
        continue;
      }
      verified++;
    }
    out.detail("verified", verified);
    out.detail("demo", manifest.path("demo").asBoolean(false));
  }
}
