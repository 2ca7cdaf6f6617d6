package dev.edgellm.maven;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportException;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.util.Reporter;
import java.io.File;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Exports a Hugging Face checkpoint to a Transformers.js-ready ONNX decoder ({@code model.onnx}), built
 * natively from the checkpoint's weights: fp32, or q4 (MatMulNBits) written directly.
 */
@Mojo(name = "export", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class ExportMojo extends AbstractMojo {

  /** The checkpoint folder: config.json plus model.safetensors (or shards with their index). */
  @Parameter(property = Properties.CHECKPOINT, required = true)
  File checkpoint;

  /** Output folder; default {@code ${project.build.directory}/edge-llm/model-<precision>}. */
  @Parameter(property = Properties.EXPORT_OUTPUT)
  File output;

  /** {@code q4} or {@code fp32}. */
  @Parameter(property = Properties.EXPORT_PRECISION, defaultValue = "q4")
  String precision;

  /** {@code shared} or {@code fp32}: the q4 token embedding's layout. */
  @Parameter(property = Properties.EXPORT_EMBEDDINGS, defaultValue = "shared")
  String embeddings;

  /**
   * Largest model written as one embedded {@code model.onnx}; a larger one is written with external data
   * ({@code model.onnx_data}). Default: protobuf's 2 GiB limit.
   */
  @Parameter(property = Properties.MAX_MODEL_BYTES, defaultValue = Properties.MAX_MODEL_BYTES_DEFAULT)
  long maxModelBytes = OnnxWriter.DEFAULT_LIMIT;

  /** Skip this goal. */
  @Parameter(property = Properties.EXPORT_SKIP, defaultValue = "false")
  boolean skip;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true)
  File buildDirectory;

  private Reporter reporter() {
    return new Reporter() {
      @Override
      public void info(String message) {
        getLog().info(message);
      }

      @Override
      public void warn(String message) {
        getLog().warn(message);
      }

      @Override
      public void debug(String message) {
        getLog().debug(message);
      }
    };
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("export skipped (" + Properties.EXPORT_SKIP + "=true)");
      return;
    }
    try {
      Precision p = Precision.parse(precision);
      Embeddings e = Embeddings.parse(embeddings);
      File out = output != null
          ? output
          : new File(new File(buildDirectory, "edge-llm"), p == Precision.FP32 ? "model-fp32" : "model-q4");
      ExportRequest req = new ExportRequest(checkpoint.toPath(), out.toPath(), p, e);
      new Exporter(reporter(), maxModelBytes)
          .exportUnlessUpToDate(req)
          .ifPresent(result -> getLog().info("exported " + result.modelType() + " to " + result.model()));
    } catch (CheckpointException | ExportException ex) {
      throw new MojoFailureException(ex.getMessage(), ex);
    } catch (RuntimeException ex) {
      throw new MojoExecutionException("export failed: " + ex, ex);
    }
  }
}
