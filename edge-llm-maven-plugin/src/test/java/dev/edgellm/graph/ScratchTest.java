package dev.edgellm.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.util.MappedFaults;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTest {
  @TempDir Path tmp;

  @Test
  void twoScratchSpacesBesideOneOutputNeverShareAFile() throws Exception {
    Path target = tmp.resolve("model.onnx");
    try (Scratch a = Scratch.beside(target);
        Scratch b = Scratch.beside(target)) {
      ByteBuffer x = a.allocate(2 << 20);
      ByteBuffer y = b.allocate(2 << 20);
      x.putInt(0, 42);
      assertThat(y.getInt(0)).isZero();
      assertThat(a.file()).isNotEqualTo(b.file());
      assertThat(Scratch.isScratchOf(a.file().getFileName().toString(), "model.onnx")).isTrue();
      // its space is written (reserved) before it is mapped
      assertThat(Files.size(a.file())).isEqualTo(2 << 20);
    }
    try (var s = Files.list(tmp)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aFaultOnMappedMemoryBecomesAnIoErrorNamingTheFiles() throws Exception {
    try (Scratch a = Scratch.beside(tmp.resolve("model.onnx"))) {
      ByteBuffer x = a.allocate(4 << 20);
      // what a second run did to the first's scratch file
      try (FileChannel ch = FileChannel.open(a.file(), StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      assertThatThrownBy(
              () ->
                  MappedFaults.guard(
                      "the scratch file " + a.file(),
                      () -> {
                        for (int i = 0; i < x.capacity(); i += 4096) {
                          x.put(i, (byte) 1);
                        }
                        return null;
                      }))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(a.file().toString())
          .hasMessageContaining("the disk is full, or another process truncated");
    }
  }

  @Test
  void namesOfScratchFiles() {
    assertThat(Scratch.isScratchOf(".model.onnx.scratch", "model.onnx")).isTrue();
    assertThat(Scratch.isScratchOf(".model.onnx.0az9.scratch", "model.onnx")).isTrue();
    assertThat(Scratch.isScratchOf(".model.onnx.A.scratch", "model.onnx")).isFalse();
    assertThat(Scratch.isScratchOf("model.onnx.scratch", "model.onnx")).isFalse();
    assertThat(Scratch.isScratchOf(".other.onnx.1.scratch", "model.onnx")).isFalse();
  }
}
