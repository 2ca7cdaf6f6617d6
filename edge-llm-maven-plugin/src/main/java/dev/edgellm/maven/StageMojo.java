package dev.edgellm.maven;

import dev.edgellm.hub.HubResolver;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.stage.Variants;
import java.io.File;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Lays out a model folder Transformers.js 4.x loads: config.json (with {@code
 * transformers.js_config.dtype}), generation_config.json, tokenizer.json, tokenizer_config.json
 * (chat template inlined), onnx/model.onnx and edge-llm.json (sizes, SHA-256, quantization,
 * source). Replaces a previous staging of the same name.
 *
 * <p>Binds to {@code package}, after export and quantize when the pom declares them first (goals of
 * one plugin bound to the same phase run in the order of their executions); validate follows.
 *
 * <p>Without a pom: {@code mvn dev.edgellm:edge-llm-maven-plugin:0.1.0-SNAPSHOT:stage
 * -Dedgellm.checkpoint=DIR -Dedgellm.stage.model=MODEL.onnx
 * -Dedgellm.stage.directory=public/models/NAME}.
 */
@Mojo(
    name = "stage",
    defaultPhase = LifecyclePhase.PACKAGE,
    requiresProject = false,
    threadSafe = true)
public class StageMojo extends EdgeLlmMojo {
  public StageMojo() {
    super("stage", Properties.STAGE_SKIP);
  }

  /**
   * The checkpoint folder with config.json and the tokenizer files, or a Hugging Face Hub id {@code
   * org/name[@revision]} (its config and tokenizer files come from the same cache snapshot as
   * export's weights); in a project where it is not set, the demo checkpoint the export goal uses.
   */
  @Parameter(property = Properties.CHECKPOINT)
  private String checkpoint;

  /** Hub token for a private or gated id; overrides HF_TOKEN and the token file under HF_HOME. */
  @Parameter(property = Properties.HUB_TOKEN)
  private String hubToken;

  /** The Hub to download ids from; overrides HF_ENDPOINT (default https://huggingface.co). */
  @Parameter(property = Properties.HUB_ENDPOINT)
  private String hubEndpoint;

  /** Maven's offline mode ({@code -o}): a Hub id then comes from the cache only. */
  @Parameter(defaultValue = "${settings.offline}", readonly = true)
  private boolean mavenOffline;

  /** The ONNX model to stage; defaults to the model the quantize goal wrote in this build. */
  @Parameter(
      property = Properties.STAGE_MODEL,
      defaultValue = "${project.build.directory}/edge-llm/model-q4/model.onnx")
  private File model;

  /** The model's name; defaults to the checkpoint's folder name, or the name of a Hub id. */
  @Parameter(property = Properties.MODEL_NAME)
  private String modelName;

  /** The folder to stage into; defaults to {@code ${project.basedir}/public/models/<modelName>}. */
  @Parameter(property = Properties.STAGE_DIRECTORY)
  private File directory;

  /** {@code local} (onnx/model.onnx, dtype fp32) or {@code hub} (onnx/model_q4.onnx, dtype q4). */
  @Parameter(property = Properties.STAGE_LAYOUT, defaultValue = "local")
  private String layout;

  /**
   * Dtype variants to stage side by side: {@code q4f16,q4} stages the 4-bit model as {@code
   * onnx/model_q4.onnx} and its float16 form as {@code onnx/model_q4f16.onnx}; empty: the model
   * alone.
   */
  @Parameter(property = Properties.STAGE_VARIANTS)
  private String variants;

  /**
   * A folder to take the tokenizer files from (tokenizer.json, tokenizer_config.json,
   * chat_template.*) instead of the checkpoint, e.g. the base model's when a fine-tuning tool saved
   * only the weights.
   */
  @Parameter(property = Properties.STAGE_TOKENIZER)
  private File tokenizer;

  /**
   * A fine-tuning adapter folder (mlx_lm lora/dora/full or PEFT LoRA/DoRA) merged into the
   * checkpoint's weights while they stream (a folder, or a Hub id {@code org/name[@revision]}
   * downloaded into the huggingface_hub cache); stage records it with its SHA-256 in edge-llm.json.
   */
  @Parameter(property = Properties.ADAPTER)
  private String adapter;

  /** Skip this goal. */
  @Parameter(property = Properties.STAGE_SKIP, defaultValue = "false")
  private boolean skip;

  /** Largest model staged, in bytes (default: protobuf's 2 GiB limit, which browsers need too). */
  @Parameter(
      property = Properties.MAX_MODEL_BYTES,
      defaultValue = Properties.MAX_MODEL_BYTES_DEFAULT)
  private long maxModelBytes;

  /** The project's pom; null when run without one (then no fingerprint is kept). */
  @Parameter(defaultValue = "${project.file}", readonly = true)
  private File pomFile;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true)
  private File buildDirectory;

  @Parameter(defaultValue = "${basedir}", readonly = true)
  private File basedir;

  @Override
  protected boolean skip() {
    return skip;
  }

  @Override
  protected void run() throws MojoExecutionException, MojoFailureException {
    HubResolver hub = CheckpointParameter.hub(hubToken, hubEndpoint, mavenOffline, getLog());
    HubResolver.Resolved resolved =
        CheckpointParameter.forStage(checkpoint, hub, basedir, pomFile, buildDirectory, getLog());
    File source = resolved.folder().toFile();
    String name = modelName != null && !modelName.isBlank() ? modelName : resolved.name();
    core(
        () -> {
          StageRequest request =
              new StageRequest(
                      source.toPath(),
                      withoutPom(model, basedir).toPath(),
                      stageDirectory(directory, name, source, basedir).toPath(),
                      Layout.parse(layout),
                      tokenizer == null ? null : tokenizer.toPath(),
                      AdapterParameter.resolve(adapter, basedir, hub, getLog()))
                  .withVariants(Variants.parse(variants));
          // The fingerprint lives in the build folder, not in the staged folder the web app serves.
          File state =
              pomFile == null || buildDirectory == null
                  ? null
                  : new File(
                      buildDirectory,
                      "edge-llm/.stage-" + request.directory().getFileName() + ".fingerprint");
          new Stager(new MavenReporter(getLog()), maxModelBytes)
              .stageUnlessUpToDate(request, state == null ? null : state.toPath());
          return null;
        });
  }
}
