package dev.edgellm.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.util.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgellm.adapter} as a Hub id: the PEFT adapter fixture served by the local fake Hub is
 * resolved into the cache with the adapter's files, exports exactly as the folder does, and stage
 * records it in edge-llm.json as {@code org/name@commit} with its SHA-256.
 */
class AdapterFromHubTest {
  static final String COMMIT = "3333333333333333333333333333333333333333";
  static final Path ADAPTER = Path.of("src/test/resources/models/adapters/tiny-llama-peft/adapter");
  static final Path BASE = Path.of("src/test/resources/models/tiny-llama");

  @TempDir Path tmp;

  @Test
  void anAdapterHubIdExportsAndStagesAsItsFolder() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors"}) {
      files.put(f, Files.readAllBytes(ADAPTER.resolve(f)));
    }
    files.put("README.md", "a model card the export does not need".getBytes());
    try (FakeHub hub = new FakeHub().repo("acme/llama-lora", COMMIT, files)) {
      HubResolver resolver =
          new HubResolver(HubSettings.of(hub.endpoint(), tmp.resolve("hf/hub")), Reporter.silent());
      HubResolver.Resolved r =
          resolver.resolve("acme/llama-lora", tmp.resolve("project"), FileSelection.ADAPTER);
      assertThat(r.fromHub()).isTrue();
      assertThat(r.folder())
          .isEqualTo(tmp.resolve("hf/hub/models--acme--llama-lora/snapshots/" + COMMIT));
      assertThat(r.folder().resolve("README.md")).doesNotExist();

      Path fromHub =
          new Exporter(Reporter.silent())
              .export(ExportRequest.fp32(BASE, tmp.resolve("hub")).withAdapter(r.folder()))
              .model();
      Path fromFolder =
          new Exporter(Reporter.silent())
              .export(ExportRequest.fp32(BASE, tmp.resolve("folder")).withAdapter(ADAPTER))
              .model();
      assertThat(Files.mismatch(fromHub, fromFolder)).isEqualTo(-1L);

      Path staged = tmp.resolve("public/models/tuned");
      new Stager(Reporter.silent())
          .stage(new StageRequest(BASE, fromHub, staged, Layout.LOCAL).withAdapter(r.folder()));
      JsonNode a = Json.read(staged.resolve("edge-llm.json")).path("source").path("adapter");
      assertThat(a.path("path").asText()).isEqualTo("acme/llama-lora@" + COMMIT);
      assertThat(a.path("layout").asText()).isEqualTo("peft-lora");
      assertThat(a.path("sha256").asText())
          .isEqualTo(Sha256.of(ADAPTER.resolve("adapter_model.safetensors")));
    }
  }
}
