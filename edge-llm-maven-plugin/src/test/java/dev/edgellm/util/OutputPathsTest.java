package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageException;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "go further": for every goal (export, quantize, stage, validate and its report), every
 * path written stays inside the folder it belongs to. Each case plants what a careless or hostile
 * user could (a symbolic link where an output goes, a {@code ..} or an absolute path where a name
 * is read from a model) and checks that the file outside ({@code victim}) keeps its bytes and that
 * nothing new appears outside. Model names ({@code edgellm.modelName}) are {@code
 * StageDirectoryTest}'s; the path checks themselves are {@link SafePathsTest}'s.
 */
class OutputPathsTest {
  private static final String VICTIM = "the user's own file, outside every output folder\n";

  @TempDir Path tmp;
  private Path outside;
  private Path victim;

  @BeforeEach
  void victim() throws Exception {
    outside = Files.createDirectories(tmp.resolve("outside"));
    victim = Files.writeString(outside.resolve("victim.txt"), VICTIM);
  }

  @Test
  void exportReplacesAPlantedLinkAtItsOutputInsteadOfWritingThroughIt() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("project/target/model"));
    Files.createSymbolicLink(out.resolve("model.onnx"), victim);
    Path model =
        new Exporter(Reporter.silent())
            .export(
                new ExportRequest(
                    Fixtures.tiny("tiny-llama"), out, Precision.FP32, Embeddings.FP32))
            .model();
    assertThat(model).isEqualTo(out.resolve("model.onnx").toAbsolutePath());
    assertRegularFileInside(model, out);
    assertVictimUntouched();
  }

  @Test
  void exportRefusesALockFileThatIsALinkOutOfItsFolder() throws Exception {
    Path out = tmp.resolve("project/target/model");
    Files.createDirectories(out.getParent());
    Path lock = OutputLock.fileOf(out);
    Files.createSymbolicLink(lock, victim);
    assertThatThrownBy(
            () ->
                new Exporter(Reporter.silent())
                    .export(
                        new ExportRequest(
                            Fixtures.tiny("tiny-llama"), out, Precision.FP32, Embeddings.FP32)))
        .isInstanceOf(UserErrorException.class)
        .hasMessageContaining("Refusing to lock")
        .hasMessageContaining(lock.getFileName().toString())
        .hasMessageContaining("symbolic link (to " + victim + ")")
        .hasMessageContaining("remove the link");
    assertVictimUntouched();
    assertThat(out).doesNotExist();
  }

  @Test
  void quantizeReplacesAPlantedLinkAtItsOutputAndItsDataFile() throws Exception {
    Path in =
        new Exporter(Reporter.silent())
            .export(
                new ExportRequest(
                    Fixtures.tiny("tiny-llama"),
                    tmp.resolve("fp32"),
                    Precision.FP32,
                    Embeddings.FP32))
            .model();
    Path out = Files.createDirectories(tmp.resolve("q4"));
    Files.createSymbolicLink(out.resolve("model.onnx"), victim);
    Files.createSymbolicLink(out.resolve("model.onnx_data"), victim);
    ModelQuantizer.run(QuantizeRequest.of(in, out.resolve("model.onnx")), Reporter.silent());
    assertRegularFileInside(out.resolve("model.onnx"), out);
    assertVictimUntouched();
  }

  @Test
  void stageRefusesAnExternalDataLocationThatClimbsOutOrIsAbsolute() throws Exception {
    Path checkpoint = Fixtures.tinyLlamaCheckpoint(tmp.resolve("checkpoint"));
    for (String location : List.of("../outside/victim.txt", victim.toString())) {
      Path build = Files.createDirectories(tmp.resolve("build-" + location.length()));
      ModelProto.Builder m =
          TinyDecoder.with(
              d -> {
                d.layers = 1;
                d.externalEmbedding = true;
              })
              .build()
              .toBuilder();
      TensorProto.Builder embed = m.getGraphBuilder().getInitializerBuilder(0);
      for (int i = 0; i < embed.getExternalDataCount(); i++) {
        if (embed.getExternalData(i).getKey().equals("location")) {
          embed.getExternalDataBuilder(i).setValue(location);
        }
      }
      Path model = Files.write(build.resolve("model.onnx"), m.build().toByteArray());
      Path target = tmp.resolve("public/models/tiny-llama");
      assertThatThrownBy(
              () ->
                  new Stager(Reporter.silent())
                      .stage(new StageRequest(checkpoint, model, target, Layout.LOCAL)))
          .as(location)
          .isInstanceOfAny(StageException.class, OnnxFormatException.class)
          .hasMessageContaining(location);
      assertThat(target).doesNotExist();
    }
    assertVictimUntouched();
  }

  @Test
  void restageRefusesLinksPlantedInTheStagedFolderAndWritesNothingThroughThem() throws Exception {
    Path staged = Fixtures.stagedTinyLlama(tmp, TinyDecoder.with(d -> d.layers = 1), Layout.LOCAL);
    Path outsideDir = Files.createDirectories(outside.resolve("onnx"));
    Path outsideModel = Files.writeString(outsideDir.resolve("model.onnx"), VICTIM);
    Files.delete(staged.resolve("tokenizer.json"));
    Files.createSymbolicLink(staged.resolve("tokenizer.json"), victim);
    Path onnx = staged.resolve("onnx");
    FileTrees.delete(onnx);
    Files.createSymbolicLink(onnx, outsideDir);

    Path checkpoint = tmp.resolve("checkpoint/tiny-llama");
    Path model = tmp.resolve("build/model.onnx");
    // links are never stage's own files: restage refuses, naming them, and changes nothing
    assertThatThrownBy(
            () ->
                new Stager(Reporter.silent())
                    .stage(new StageRequest(checkpoint, model, staged, Layout.LOCAL)))
        .isInstanceOf(StageException.class)
        .hasMessageContaining(staged.toString())
        .hasMessageContaining("onnx")
        .hasMessageContaining("tokenizer.json");
    assertThat(Files.isSymbolicLink(onnx)).isTrue();
    assertThat(Files.isSymbolicLink(staged.resolve("tokenizer.json"))).isTrue();
    assertVictimUntouched();
    assertThat(outsideModel).hasContent(VICTIM.strip());
    try (Stream<Path> left = Files.list(outsideDir)) {
      assertThat(left).containsExactly(outsideModel);
    }
  }

  @Test
  void validateReplacesPlantedLinksAtItsReportAndLeavesALinkedManifestAlone() throws Exception {
    Path staged = Fixtures.stagedTinyLlama(tmp, TinyDecoder.with(d -> d.layers = 1), Layout.LOCAL);
    Path report = Files.createDirectories(tmp.resolve("target/edge-llm"));
    Files.createSymbolicLink(report.resolve("validation.json"), victim);
    Files.createSymbolicLink(report.resolve("validation.html"), victim);
    Path outsideManifest = outside.resolve("edge-llm.json");
    Files.move(staged.resolve("edge-llm.json"), outsideManifest);
    String manifest = Files.readString(outsideManifest);
    Files.createSymbolicLink(staged.resolve("edge-llm.json"), outsideManifest);

    new Validator(Reporter.silent())
        .validate(ValidationRequest.of(staged).withReportDirectory(report));

    assertRegularFileInside(report.resolve("validation.json"), report);
    assertRegularFileInside(report.resolve("validation.html"), report);
    assertThat(Files.readString(report.resolve("validation.json"))).contains("\"checks\"");
    assertThat(Files.isSymbolicLink(staged.resolve("edge-llm.json"))).isTrue();
    assertThat(Files.readString(outsideManifest)).isEqualTo(manifest);
    assertVictimUntouched();
  }

  private void assertVictimUntouched() throws Exception {
    assertThat(Files.readString(victim)).isEqualTo(VICTIM);
    try (Stream<Path> left = Files.list(outside)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.equals("victim.txt") || n.equals("onnx") || n.equals("edge-llm.json"));
    }
  }

  private static void assertRegularFileInside(Path file, Path folder) throws Exception {
    assertThat(Files.isSymbolicLink(file)).as(file + " is a link").isFalse();
    assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).as(file.toString()).isTrue();
    assertThat(file.toRealPath().startsWith(folder.toRealPath())).as(file.toString()).isTrue();
    assertThat(Files.size(file)).isPositive();
  }
}
