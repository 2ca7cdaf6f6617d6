package dev.edgellm.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.stage.StageException;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 14, defect 1: edgellm.modelName cannot take stage outside public/models. */
class StageDirectoryTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../../../evil",
        "..",
        ".",
        "a/b",
        "a\\b",
        ".hidden",
        "/etc",
        "C:evil",
        "name with space",
        "trailing.",
        "caf\u00e9",
        "x\u0000y"
      })
  void refusesAModelNameThatIsNotOneSafeSegment(String name) {
    File basedir = tmp.toFile();
    assertThatThrownBy(
            () -> EdgeLlmMojo.stageDirectory(null, name, tmp.resolve("ckpt").toFile(), basedir))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("'" + name + "'")
        .hasMessageContaining("edgellm.modelName")
        .hasMessageContaining("letters, digits");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama", "Qwen2.5-0.5B-Instruct", "gemma_3", "a", "SmolLM2-135M"})
  void acceptsHubStyleNamesUnderPublicModels(String name) {
    File dir = EdgeLlmMojo.stageDirectory(null, name, tmp.resolve("ckpt").toFile(), tmp.toFile());
    assertThat(dir.toPath()).isEqualTo(tmp.resolve("public/models").resolve(name));
  }

  @Test
  void aCheckpointFolderWhoseNameIsNotSafeAsksForEdgellmModelName() {
    assertThatThrownBy(
            () ->
                EdgeLlmMojo.stageDirectory(
                    null, null, tmp.resolve("my model").toFile(), tmp.toFile()))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("checkpoint folder's name")
        .hasMessageContaining("set edgellm.modelName");
  }

  @Test
  void anExplicitStageDirectoryIsTakenAsGiven() {
    File explicit = tmp.resolve("elsewhere/x").toFile();
    assertThat(EdgeLlmMojo.stageDirectory(explicit, "../evil", null, tmp.toFile()))
        .isEqualTo(explicit);
  }
}
