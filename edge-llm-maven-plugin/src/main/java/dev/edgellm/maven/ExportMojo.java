package dev.edgellm.maven;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.hub.HubResolver;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.QuantizeMethod;
import java.io.File;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Exports a Hugging Face checkpoint to a Transformers.js-ready ONNX decoder ({@code model.onnx}),
 * built natively from the checkpoint's weights: fp32, or q4 (MatMulNBits) written directly.
 */
@Mojo(
    name = "export",
    defaultPhase = LifecyclePhase.PACKAGE,
    requiresProject = false,
    threadSafe = true)
public class ExportMojo extends EdgeLlmMojo {
  public ExportMojo() {
    super("export", Properties.EXPORT_SKIP);
  }

  /**
   * The checkpoint: a folder (config.json plus model.safetensors or shards with their index), or a
   * Hugging Face Hub id {@code org/name[@revision]} downloaded into the Hugging Face cache (a path
   * that exists wins over an id). In a project where it is not set, the demo checkpoint (a tiny
   * Gemma 3 with random weights) is generated and used.
   */
  @Parameter(property = Properties.CHECKPOINT)
  String checkpoint;

  /** Hub token for a private or gated id; overrides HF_TOKEN and the token file under HF_HOME. */
  @Parameter(property = Properties.HUB_TOKEN)
  String hubToken;

  /** The Hub to download ids from; overrides HF_ENDPOINT (default https://huggingface.co). */
  @Parameter(property = Properties.HUB_ENDPOINT)
  String hubEndpoint;

  /** Maven's offline mode ({@code -o}): a Hub id then comes from the cache only. */
  @Parameter(defaultValue = "${settings.offline}", readonly = true)
  boolean mavenOffline;

  @Parameter(defaultValue = "${basedir}", readonly = true)
  File basedir;

  /** The project's pom; null when run without one. */
  @Parameter(defaultValue = "${project.file}", readonly = true)
  File pomFile;

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
   * How a q4 export chooses each block's scale: {@code search} or {@code rtn} (see the quantize
   * goal's {@code method}); the same property as the quantize goal's.
   */
  @Parameter(property = Properties.QUANTIZE_METHOD, defaultValue = "search")
  String method = "search";

  /**
   * Which weights a q4 export keeps at 8 bits: {@code auto}, {@code none} or a list of name
   * fragments (see the quantize goal's {@code keep}); the same property as the quantize goal's.
   */
  @Parameter(property = Properties.QUANTIZE_KEEP, defaultValue = "auto")
  String keep = "auto";

  /**
   * Largest model written as one embedded {@code model.onnx}; a larger one is written with external
   * data ({@code model.onnx_data}, {@code model.onnx_data_1}, …). Default: protobuf's 2 GiB limit.
   */
  @Parameter(
      property = Properties.EXPORT_MAX_EMBEDDED_BYTES,
      defaultValue = Properties.MAX_MODEL_BYTES_DEFAULT)
  long maxEmbeddedBytes = OnnxWriter.DEFAULT_LIMIT;

  /**
   * Write external data ({@code model.onnx} + {@code model.onnx_data}, {@code model.onnx_data_1},
   * …) even when the model fits in one file.
   */
  @Parameter(property = Properties.EXPORT_EXTERNAL_DATA, defaultValue = "false")
  boolean externalData;

  /** Largest external data chunk, in bytes (default 1 GiB, at most 2147483647). */
  @Parameter(
      property = Properties.EXPORT_EXTERNAL_DATA_CHUNK_BYTES,
      defaultValue = Properties.EXTERNAL_DATA_CHUNK_BYTES_DEFAULT)
  long externalDataChunkBytes = dev.edgellm.onnx.ExternalDataWriter.DEFAULT_CHUNK_BYTES;

  /**
   * A fine-tuning adapter folder (mlx_lm lora/dora/full or PEFT LoRA/DoRA) merged into the
   * checkpoint's weights while they stream (a folder, or a Hub id {@code org/name[@revision]}
   * downloaded into the huggingface_hub cache); no fuse step needed. Unset: none.
   */
  @Parameter(property = Properties.ADAPTER)
  String adapter;

  /** Skip this goal. */
  @Parameter(property = Properties.EXPORT_SKIP, defaultValue = "false")
  boolean skip;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true)
  File buildDirectory;

  @Override
  protected boolean skip() {
    return skip;
  }

  @Override
  protected void run() throws MojoExecutionException, MojoFailureException {
    HubResolver hub = CheckpointParameter.hub(hubToken, hubEndpoint, mavenOffline, getLog());
    Path source =
        CheckpointParameter.forExport(checkpoint, hub, basedir, pomFile, buildDirectory, getLog())
            .folder();
    core(
        () -> {
          Precision p = Precision.parse(precision);
          Embeddings e = Embeddings.parse(embeddings);
          File out =
              output != null
                  ? output
                  : new File(
                      new File(buildDirectory, "edge-llm"),
                      "model-" + p.name().toLowerCase(java.util.Locale.ROOT));
          ExportRequest req =
              new ExportRequest(
                      source,
                      out.toPath(),
                      p,
                      e,
                      AdapterParameter.resolve(adapter, basedir, hub, getLog()))
                  .withMethod(QuantizeMethod.parse(method))
                  .withKeep(Keep.parse(keep));
          new Exporter(new MavenReporter(getLog()), maxEmbeddedBytes)
              .withExternalData(externalData, externalDataChunkBytes)
              .exportUnlessUpToDate(req)
              .ifPresent(
                  result ->
                      getLog().info("exported " + result.modelType() + " to " + result.model()));
          return null;
        });
  }
}
