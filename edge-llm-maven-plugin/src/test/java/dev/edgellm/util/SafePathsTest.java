package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafePathsTest {
  @TempDir Path tmp;

  @Test
  void aPlainRelativeNameStaysInside() {
    assertThat(SafePaths.inside(tmp, "onnx/model.onnx")).isEqualTo(tmp.resolve("onnx/model.onnx"));
  }

  @Test
  void refusesToClimbOutOrToNameTheFolderItself() {
    for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", ".", "a/.."}) {
      assertThatThrownBy(() -> SafePaths.inside(tmp, bad))
          .as(bad)
          .isInstanceOf(UserErrorException.class)
          .hasMessageContaining("outside " + tmp);
    }
  }

  @Test
  void refusesASymbolicLinkThatPointsOutOfTheFolder() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path folder = Files.createDirectories(tmp.resolve("folder"));
    Files.createSymbolicLink(folder.resolve("onnx"), outside);
    assertThatThrownBy(() -> SafePaths.inside(folder, "onnx/model.onnx"))
        .isInstanceOf(UserErrorException.class)
        .hasMessageContaining("symbolic link")
        .hasMessageContaining(outside.toRealPath().toString());
  }

  @Test
  void acceptsASymbolicLinkThatStaysInside() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("folder"));
    Files.createDirectories(folder.resolve("real"));
    Files.createSymbolicLink(folder.resolve("link"), folder.resolve("real"));
    assertThat(SafePaths.inside(folder, "link/x")).isEqualTo(folder.resolve("link/x"));
  }
}
