package dev.edgellm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.testing.RecordingReporter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HubResolver} against {@link FakeHub}: layout, offline, resume, corruption, errors. */
class HubResolverTest {
  static final String REPO = "acme/tiny-model";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String TOKEN = "hf_SecretTokenValue123";

  @TempDir Path tmp;
  FakeHub hub;
  List<String> log;
  byte[] weights;
  Map<String, byte[]> files;

  @BeforeEach
  void start() throws IOException {
    weights = new byte[300_000];
    new Random(7).nextBytes(weights);
    files = new LinkedHashMap<>();
    files.put(".gitattributes", bytes("*.safetensors filter=lfs\n"));
    files.put("README.md", bytes("# tiny\n"));
    files.put("config.json", bytes("{\"model_type\":\"llama\"}\n"));
    files.put("generation_config.json", bytes("{\"eos_token_id\":2}\n"));
    files.put("model.safetensors", weights);
    files.put("pytorch_model.bin", new byte[50_000]);
    files.put("tokenizer.json", bytes("{\"model\":{}}\n"));
    files.put("tokenizer_config.json", bytes("{\"chat_template\":\"{{x}}\"}\n"));
    hub = new FakeHub().repo(REPO, COMMIT, files, "v1.0");
    log = new ArrayList<>();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  HubSettings settings() {
    return HubSettings.of(hub.endpoint(), tmp.resolve("hf/hub"));
  }

  HubResolver resolver(HubSettings s) {
    return new HubResolver(s, new RecordingReporter(log, "[INFO] ", "[WARNING] "));
  }

  Path repoFolder() {
    return tmp.resolve("hf/hub/models--acme--tiny-model");
  }

  @Test
  void downloadsOnlyWhatExportAndStageNeedIntoTheHuggingFaceCacheLayout() throws IOException {
    hub.requiredToken = TOKEN;
    HubResolver.Resolved r =
        resolver(settings().withToken(TOKEN)).resolve(REPO, tmp, FileSelection.CHECKPOINT);

    Path snapshot = repoFolder().resolve("snapshots").resolve(COMMIT);
    assertThat(r.folder()).isEqualTo(snapshot);
    assertThat(r.id()).isEqualTo(new HubId(REPO, "main"));
    assertThat(r.commit()).isEqualTo(COMMIT);
    assertThat(r.name()).isEqualTo("tiny-model");
    // refs/main holds the bare commit, as huggingface_hub writes it
    assertThat(Files.readString(repoFolder().resolve("refs/main"))).isEqualTo(COMMIT);
    try (Stream<Path> s = Files.list(snapshot)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted())
          .containsExactly(
              "config.json",
              "generation_config.json",
              "model.safetensors",
              "tokenizer.json",
              "tokenizer_config.json");
    }
    for (String f :
        List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
      Path link = snapshot.resolve(f);
      String etag =
          f.endsWith(".safetensors") ? FakeHub.sha256(files.get(f)) : FakeHub.gitSha1(files.get(f));
      assertThat(Files.isSymbolicLink(link)).as(f).isTrue();
      assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("../../blobs/" + etag);
      assertThat(Files.readAllBytes(link)).isEqualTo(files.get(f));
      assertThat(repoFolder().resolve("blobs").resolve(etag)).isRegularFile();
    }
    try (Stream<Path> s = Files.list(repoFolder().resolve("blobs"))) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
    }
    // nothing else was asked for
    assertThat(hub.requests)
        .noneMatch(q -> q.path().contains("pytorch_model") || q.path().contains("README"));
    // the token went to the Hub, never to the CDN on the other port; it is in no log line
    assertThat(hub.requests("hub")).allMatch(q -> ("Bearer " + TOKEN).equals(q.authorization()));
    assertThat(hub.requests("cdn")).hasSize(1).allMatch(q -> q.authorization() == null);
    assertThat(log).noneMatch(l -> l.contains(TOKEN)).noneMatch(l -> l.contains("X-Signature"));
    assertThat(log)
        .anyMatch(l -> l.startsWith("[INFO] hub: downloading 5 files of acme/tiny-model@main"));
    assertThat(log).anyMatch(l -> l.contains("hub: file 5 of 5"));

    // a second online run asks for the revision only: every file is in the snapshot already
    hub.requests.clear();
    resolver(settings().withToken(TOKEN)).resolve(REPO + "@v1.0", tmp, FileSelection.CHECKPOINT);
    assertThat(hub.requests).hasSize(1);
    assertThat(hub.requests.get(0).path()).isEqualTo("/api/models/acme/tiny-model/revision/v1.0");
    assertThat(Files.readString(repoFolder().resolve("refs/v1.0"))).isEqualTo(COMMIT);
  }

  @Test
  void offlineRunWorksFromTheCacheAloneAndNamesWhatIsMissing() throws IOException {
    Path online = resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT);
    hub.requests.clear();
    HubSettings offline = settings().offline("HF_HUB_OFFLINE=1");

    assertThat(resolver(offline).resolve(REPO, FileSelection.CHECKPOINT)).isEqualTo(online);
    assertThat(resolver(offline).resolve(REPO + "@" + COMMIT, FileSelection.CHECKPOINT))
        .isEqualTo(online);
    assertThat(hub.requests).isEmpty();
    assertThat(log).anyMatch(l -> l.contains("in the cache (offline: HF_HUB_OFFLINE=1)"));

    // a revision never resolved online
    assertThatThrownBy(() -> resolver(offline).resolve(REPO + "@v1.0", FileSelection.CHECKPOINT))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(
            "Offline (HF_HUB_OFFLINE=1): acme/tiny-model@v1.0 is not in the Hugging Face cache")
        .hasMessageContaining(repoFolder() + " has no refs/v1.0")
        .hasMessageContaining("Run the build once online");
    // a repository never downloaded
    assertThatThrownBy(
            () ->
                resolver(settings().offline("Maven runs offline (-o)"))
                    .resolve("acme/other", FileSelection.CHECKPOINT))
        .hasMessageContaining(
            "Offline (Maven runs offline (-o)): acme/other@main is not in the Hugging Face cache")
        .hasMessageContaining("models--acme--other does not exist");
    // a file the cache lacks
    Files.delete(online.resolve("model.safetensors"));
    assertThatThrownBy(() -> resolver(offline).resolve(REPO, FileSelection.CHECKPOINT))
        .hasMessageContaining(
            "the cached snapshot of acme/tiny-model@main lacks files: model.safetensors or model.safetensors.index.json missing in "
                + online);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void droppedConnectionMidFileResumesWithRange() throws IOException {
    hub.dropFile = "model.safetensors";
    hub.dropAfter = 120_000;
    Path folder = resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT);

    assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
    List<FakeHub.Request> cdn = hub.requests("cdn");
    assertThat(cdn).hasSize(2);
    assertThat(cdn.get(0).range()).isNull();
    assertThat(cdn.get(1).range()).isEqualTo("bytes=120000-");
    assertThat(log)
        .anyMatch(
            l ->
                l.startsWith(
                    "[WARNING] hub: download of model.safetensors of acme/tiny-model@main interrupted at byte 120000"));
  }

  @Test
  void stalledConnectionIsResumedAfterTheReadTimeout() throws IOException {
    hub.stallFile = "model.safetensors";
    hub.stallAfter = 50_000;
    HubSettings s = settings();
    HubResolver r =
        new HubResolver(
            s,
            new RecordingReporter(log, "[INFO] ", "[WARNING] "),
            new HubClient(s, java.time.Duration.ofSeconds(1)));
    Path folder = r.resolve(REPO, FileSelection.CHECKPOINT);

    assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
    List<FakeHub.Request> cdn = hub.requests("cdn");
    assertThat(cdn).hasSize(2);
    assertThat(cdn.get(1).range()).isEqualTo("bytes=50000-");
    assertThat(log)
        .anyMatch(
            l ->
                l.contains("interrupted at byte 50000 (no data for 1 s (the connection stalled))"));
  }

  @Test
  void partialDownloadOfAnEarlierBuildResumes() throws IOException {
    String sha = FakeHub.sha256(weights);
    Path incomplete = repoFolder().resolve("blobs").resolve(sha + ".incomplete");
    Files.createDirectories(incomplete.getParent());
    Files.write(incomplete, java.util.Arrays.copyOf(weights, 100_000));

    Path folder = resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT);

    assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
    assertThat(hub.requests("cdn"))
        .singleElement()
        .extracting(FakeHub.Request::range)
        .isEqualTo("bytes=100000-");
    assertThat(incomplete).doesNotExist();
    assertThat(log)
        .anyMatch(
            l ->
                l.contains(
                    "hub: resuming model.safetensors of acme/tiny-model@main at byte 100000"));
  }

  @Test
  void corruptedDownloadIsDetectedAndNotCached() {
    hub.corrupt = true;
    String sha = FakeHub.sha256(weights);
    assertThatThrownBy(() -> resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(
            "The download of model.safetensors of acme/tiny-model@main is corrupted")
        .hasMessageContaining("the Hub says " + sha)
        .hasMessageContaining("run the build again");
    assertThat(repoFolder().resolve("blobs").resolve(sha)).doesNotExist();
    assertThat(repoFolder().resolve("blobs").resolve(sha + ".incomplete")).doesNotExist();
    assertThat(repoFolder().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors"))
        .doesNotExist();
  }

  @Test
  void corruptedBlobInTheCacheIsDetected() throws IOException {
    Path folder = resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT);
    Path blob = repoFolder().resolve("blobs").resolve(FakeHub.sha256(weights));
    byte[] bad = weights.clone();
    bad[1234] ^= 1;
    Files.write(blob, bad);

    // offline: an error naming the blob
    assertThatThrownBy(
            () ->
                resolver(settings().offline("HF_HUB_OFFLINE=1"))
                    .resolve(REPO, FileSelection.CHECKPOINT))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(
            "The cached model.safetensors of acme/tiny-model@main is corrupted: " + blob)
        .hasMessageContaining("Delete that file and run the build online");
    // online: downloaded again, with a warning
    hub.requests.clear();
    assertThat(resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT)).isEqualTo(folder);
    assertThat(Files.readAllBytes(blob)).isEqualTo(weights);
    assertThat(hub.requests("cdn")).hasSize(1);
    assertThat(log)
        .anyMatch(
            l ->
                l.startsWith("[WARNING] hub: the cached model.safetensors of acme/tiny-model@main")
                    && l.contains("is corrupted"));
  }

  @Test
  void shardsNamedByTheIndexAreFetched() throws IOException {
    byte[] a = new byte[1000];
    byte[] b = new byte[2000];
    new Random(1).nextBytes(a);
    new Random(2).nextBytes(b);
    Map<String, byte[]> sharded = new LinkedHashMap<>();
    sharded.put("config.json", bytes("{}"));
    sharded.put(
        "model.safetensors.index.json",
        bytes(
            "{\"metadata\":{},\"weight_map\":{\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\",\"z\":\"model-00001-of-00002.safetensors\"}}"));
    sharded.put("model-00001-of-00002.safetensors", a);
    sharded.put("model-00002-of-00002.safetensors", b);
    sharded.put("model-00001-of-00002.bin", new byte[10]);
    hub.repo("acme/sharded", "1111111111111111111111111111111111111111", sharded);

    Path folder = resolver(settings()).resolve("acme/sharded", FileSelection.CHECKPOINT);

    assertThat(Files.readAllBytes(folder.resolve("model-00001-of-00002.safetensors"))).isEqualTo(a);
    assertThat(Files.readAllBytes(folder.resolve("model-00002-of-00002.safetensors"))).isEqualTo(b);
    assertThat(folder.resolve("model-00001-of-00002.bin")).doesNotExist();
    // offline it checks the shards too
    Files.delete(folder.resolve("model-00002-of-00002.safetensors"));
    assertThatThrownBy(
            () ->
                resolver(settings().offline("HF_HUB_OFFLINE=1"))
                    .resolve("acme/sharded", FileSelection.CHECKPOINT))
        .hasMessageContaining("lacks files: model-00002-of-00002.safetensors missing in " + folder);
  }

  @Test
  void adapterRepositoriesResolveThroughTheSameCache() throws IOException {
    Map<String, byte[]> adapter = new LinkedHashMap<>();
    adapter.put("adapter_config.json", bytes("{\"fine_tune_type\":\"lora\"}"));
    adapter.put("adapters.safetensors", new byte[64]);
    hub.repo("acme/my-adapter", "2222222222222222222222222222222222222222", adapter);
    Path folder = resolver(settings()).resolve("acme/my-adapter", FileSelection.ADAPTER);
    assertThat(folder.resolve("adapters.safetensors")).isRegularFile();
    assertThat(folder.resolve("adapter_config.json")).isRegularFile();

    assertThatThrownBy(() -> resolver(settings()).resolve(REPO, FileSelection.ADAPTER))
        .hasMessageContaining("acme/tiny-model@main is not a adapter edge-llm can read")
        .hasMessageContaining(
            "has no adapter_config.json, no adapter_model.safetensors or adapters.safetensors");
  }

  @Test
  void renamedRepositoryFollowsTheHubsRelativeRedirect() throws IOException {
    hub.renamed.put("acme/old-name", REPO);
    Path folder = resolver(settings()).resolve("acme/old-name", FileSelection.CONFIG_AND_TOKENIZER);
    assertThat(Files.readAllBytes(folder.resolve("config.json")))
        .isEqualTo(files.get("config.json"));
    assertThat(folder.resolve("model.safetensors")).doesNotExist();
    assertThat(folder.toString()).contains("models--acme--old-name");
  }

  @Test
  void privateRepositoryWithoutTokenIs401NamingTheFix() {
    hub.requiredToken = TOKEN;
    assertThatThrownBy(() -> resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(
            "Repository acme/tiny-model not found on " + hub.endpoint() + " (HTTP 401)")
        .hasMessageContaining("set HF_TOKEN");
    // a wrong token: the message says so, without the token
    assertThatThrownBy(
            () ->
                resolver(settings().withToken("hf_wrong_one"))
                    .resolve(REPO, FileSelection.CHECKPOINT))
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("the token in use")
        .hasMessageNotContaining("hf_wrong_one");
  }

  @Test
  void gatedRepositoryIs403WithTheLicenceFix() {
    hub.gated.add(REPO);
    assertThatThrownBy(
            () -> resolver(settings().withToken(TOKEN)).resolve(REPO, FileSelection.CHECKPOINT))
        .hasMessageContaining("acme/tiny-model is a gated repository (HTTP 403")
        .hasMessageContaining("accept its licence on " + hub.endpoint() + "/acme/tiny-model")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void notFoundSaysWhichOfRepositoryRevisionOrFile() {
    assertThatThrownBy(
            () ->
                resolver(settings().withToken(TOKEN))
                    .resolve("acme/nope", FileSelection.CHECKPOINT))
        .hasMessageContaining(
            "Repository acme/nope not found on " + hub.endpoint() + " (HTTP 404)");
    assertThatThrownBy(() -> resolver(settings()).resolve(REPO + "@v9", FileSelection.CHECKPOINT))
        .hasMessageContaining("Revision 'v9' of acme/tiny-model not found")
        .hasMessageContaining("use a branch, a tag or a 40-hex commit");
    hub.unservable.add("tokenizer.json");
    assertThatThrownBy(() -> resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT))
        .hasMessageContaining("tokenizer.json not found in acme/tiny-model@main")
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void unreachableHubNamesTheIdAndTheOfflineFixOrFallsBackToAFullCache() throws IOException {
    URI closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
    HubSettings nowhere = settings().withEndpoint(closed);
    assertThatThrownBy(() -> resolver(nowhere).resolve(REPO, FileSelection.CHECKPOINT))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(
            "Cannot reach the Hugging Face Hub at " + closed + " to resolve acme/tiny-model@main")
        .hasMessageContaining("HF_HUB_OFFLINE=1");

    Path online = resolver(settings()).resolve(REPO, FileSelection.CHECKPOINT);
    log.clear();
    assertThat(resolver(nowhere).resolve(REPO, FileSelection.CHECKPOINT)).isEqualTo(online);
    assertThat(log)
        .anyMatch(
            l ->
                l.equals(
                    "[WARNING] hub: using acme/tiny-model@main (commit "
                        + COMMIT
                        + ") from the cache"));
  }

  @Test
  void anExistingFolderWinsOverAHubIdOfTheSameForm() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("acme/tiny-model"));
    HubResolver.Resolved r =
        resolver(settings()).resolve("acme/tiny-model", tmp, FileSelection.CHECKPOINT);
    assertThat(r.fromHub()).isFalse();
    assertThat(r.folder()).isEqualTo(folder);
    assertThat(hub.requests).isEmpty();
    // not of the id form: a folder, even when missing
    assertThat(resolver(settings()).resolve("./acme/none", tmp, FileSelection.CHECKPOINT).fromHub())
        .isFalse();
    assertThat(resolver(settings()).resolve("/abs/none", tmp, FileSelection.CHECKPOINT).fromHub())
        .isFalse();
  }
}
