package dev.edgellm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HubIdTest {
  @Test
  void parsesIdsWithAndWithoutRevision() {
    assertThat(HubId.parse("google/functiongemma-270m-it"))
        .isEqualTo(new HubId("google/functiongemma-270m-it", "main"));
    assertThat(HubId.parse("mlx-community/gemma-3-270m-it-4bit@v1.2"))
        .isEqualTo(new HubId("mlx-community/gemma-3-270m-it-4bit", "v1.2"));
    HubId commit = HubId.parse("org/name@0123456789abcdef0123456789abcdef01234567");
    assertThat(commit.isCommit()).isTrue();
    assertThat(HubId.parse("org/name").isCommit()).isFalse();
    assertThat(HubId.parse("Org.x/Na_me-1").cacheFolderName()).isEqualTo("models--Org.x--Na_me-1");
    assertThat(HubId.parse("org/name@refs/pr/1").revision()).isEqualTo("refs/pr/1");
    assertThat(HubId.parse("org/name").name()).isEqualTo("name");
  }

  @Test
  void onlyTheIdFormIsAnId() {
    for (String folder :
        new String[] {
          "checkpoint", "./org/name", "../org/name", "/abs/path", "a/b/c", "org//name", "org/name@",
          "org/-name", "org--x/name", "org/na..me", "C:\\models\\x", "~/models", "org/name/", ""
        }) {
      assertThat(HubId.looksLikeId(folder)).as(folder).isFalse();
    }
    assertThatThrownBy(() -> HubId.parse("a/b/c")).isInstanceOf(IllegalArgumentException.class);
  }
}
