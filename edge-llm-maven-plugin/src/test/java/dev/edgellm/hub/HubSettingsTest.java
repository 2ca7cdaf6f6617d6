package dev.edgellm.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment is read as huggingface_hub reads it. */
class HubSettingsTest {
  @TempDir Path home;

  @Test
  void defaultsToTheUsersHuggingFaceCacheAndThePublicHub() {
    HubSettings s = HubSettings.fromEnvironment(Map.of(), home);
    assertThat(s.cache()).isEqualTo(home.resolve(".cache/huggingface/hub"));
    assertThat(s.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(s.isOffline()).isFalse();
    assertThat(s.hasToken()).isFalse();
  }

  @Test
  void cacheFromHfHubCacheElseHfHomeElseXdg() {
    assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), home).cache())
        .isEqualTo(Path.of("/x/huggingface/hub"));
    assertThat(
            HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x"), home)
                .cache())
        .isEqualTo(Path.of("/h/hub"));
    assertThat(
            HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), home)
                .cache())
        .isEqualTo(Path.of("/c"));
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "~/c"), home).cache())
        .isEqualTo(home.resolve("c"));
    assertThat(
            HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://mirror:8080/"), home)
                .endpoint())
        .isEqualTo(URI.create("http://mirror:8080"));
  }

  @Test
  void tokenFromHfTokenElseTheTokenFileUnderHfHome() throws IOException {
    Path hfHome = Files.createDirectories(home.resolve("hf"));
    Files.writeString(hfHome.resolve("token"), "hf_fromfile\n");
    HubSettings fromFile = HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home);
    assertThat(fromFile.token()).contains("hf_fromfile");
    assertThat(
            HubSettings.fromEnvironment(
                    Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"), home)
                .token())
        .contains("hf_env");
    // edgellm.hub.token overrides both
    assertThat(fromFile.withToken("hf_property").token()).contains("hf_property");
    assertThat(fromFile.toString()).contains("token=set").doesNotContain("hf_fromfile");
  }

  @Test
  void offlineWhenHfHubOfflineIsTrueish() {
    for (String v : new String[] {"1", "ON", "yes", "True"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", v), home).offlineReason())
          .isEqualTo("HF_HUB_OFFLINE=1");
    }
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).isOffline())
        .isFalse();
    assertThat(
            HubSettings.fromEnvironment(Map.of(), home)
                .offline("Maven runs offline (-o)")
                .offlineReason())
        .isEqualTo("Maven runs offline (-o)");
  }
}
