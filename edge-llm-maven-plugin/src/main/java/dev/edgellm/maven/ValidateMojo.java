package dev.edgellm.maven;

import dev.edgellm.hub.HubId;
import dev.edgellm.util.UserErrorException;
import dev.edgellm.validate.ExampleGate;
import dev.edgellm.validate.ValidationReport;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.io.File;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Checks a staged model folder for everything that breaks in the browser (missing or invalid files,
 * external data, the 2 GiB limit, the model_q4.onnx/model.onnx naming trap, ops without a WebGPU
 * kernel, inputs and outputs Transformers.js does not feed, tokenizer and chat template problems),
 * runs the model for real with ONNX Runtime (prefill and greedy steps through the KV cache) and,
 * with an fp32 reference, gates the quality. Writes {@code target/edge-llm/validation.json} and
 * {@code validation.html}; fails the build on any error. Binds to {@code package}: declare it after
 * stage, so a broken model fails {@code mvn package}.
 */
@Mojo(
    name = "validate",
    defaultPhase = LifecyclePhase.PACKAGE,
    requiresProject = false,
    threadSafe = true)
public class ValidateMojo extends EdgeLlmMojo {
  public ValidateMojo() {
    super("validate", Properties.VALIDATE_SKIP);
  }

  /** The staged folder; defaults to the stage goal's folder. */
  @Parameter(property = Properties.VALIDATE_DIRECTORY)
  private File directory;

  /** The stage goal's folder, used when {@code edgellm.validate.directory} is not set. */
  @Parameter(property = Properties.STAGE_DIRECTORY)
  private File stageDirectory;

  /**
   * The checkpoint (a folder, or a Hub id {@code org/name[@revision]}), whose folder name (or the
   * id's {@code name}) is the default model name.
   */
  @Parameter(property = Properties.CHECKPOINT)
  private String checkpoint;

  /** The model's name (the staged folder is public/models/NAME). */
  @Parameter(property = Properties.MODEL_NAME)
  private String modelName;

  /** An fp32 ONNX model of the same checkpoint for the quality gate. */
  @Parameter(property = Properties.VALIDATE_REFERENCE)
  private File reference;

  /** The export goal's fp32 model, used as the reference when it exists. */
  @Parameter(
      defaultValue = "${project.build.directory}/edge-llm/model-fp32/model.onnx",
      readonly = true)
  private File exportedReference;

  /** Minimum top-1 agreement with the reference (0..1). */
  @Parameter(property = Properties.VALIDATE_MIN_TOP_ONE_AGREEMENT, defaultValue = "0.9")
  private double minTopOneAgreement;

  /** Greedy steps through the KV cache in the real run. */
  @Parameter(property = Properties.VALIDATE_GREEDY_STEPS, defaultValue = "8")
  private int greedySteps;

  /** Report ops without a WebGPU kernel as warnings instead of errors. */
  @Parameter(property = Properties.VALIDATE_ALLOW_CPU_FALLBACK, defaultValue = "false")
  private boolean allowCpuFallback;

  /**
   * Report ops without a kernel in onnxruntime-web's WASM backend (the app's fallback without
   * WebGPU) as warnings instead of errors, for an app meant for WebGPU browsers only.
   */
  @Parameter(property = Properties.VALIDATE_ALLOW_WEBGPU_ONLY, defaultValue = "false")
  private boolean allowWebGpuOnly;

  /** Report warnings as errors. */
  @Parameter(property = Properties.VALIDATE_STRICT, defaultValue = "false")
  private boolean strict;

  /** Where validation.json and validation.html are written. */
  @Parameter(
      property = Properties.VALIDATE_REPORT_DIRECTORY,
      defaultValue = "${project.build.directory}/edge-llm")
  private File reportDirectory;

  /**
   * The user's examples (Edge-LLM fine-tuning JSON, or JSONL of chat messages); when set they are
   * the quality gate.
   */
  @Parameter(property = Properties.VALIDATE_EXAMPLES)
  private File examples;

  /** The tool definitions of the examples (Edge-LLM tool-definitions format). */
  @Parameter(property = Properties.VALIDATE_TOOLS)
  private File tools;

  /** Exact tool calls required, as a fraction of the fp32 reference's rate (0..1). */
  @Parameter(property = Properties.VALIDATE_MIN_TOOL_CALL_ACCURACY, defaultValue = "1.0")
  private double minToolCallAccuracy;

  /** Exact final answers required, as a fraction of the fp32 reference's rate (0..1). */
  @Parameter(property = Properties.VALIDATE_MIN_ANSWER_ACCURACY, defaultValue = "0.9")
  private double minAnswerAccuracy;

  /** Replay at most this many examples. */
  @Parameter(property = Properties.VALIDATE_MAX_EXAMPLES, defaultValue = "100")
  private int maxExamples;

  /** Skip this goal. */
  @Parameter(property = Properties.VALIDATE_SKIP, defaultValue = "false")
  private boolean skip;

  /**
   * Largest model file accepted, in bytes (default: protobuf's 2 GiB limit, which browsers need
   * too).
   */
  @Parameter(
      property = Properties.MAX_MODEL_BYTES,
      defaultValue = Properties.MAX_MODEL_BYTES_DEFAULT)
  private long maxModelBytes;

  @Parameter(defaultValue = "${basedir}", readonly = true)
  private File basedir;

  @Override
  protected boolean skip() {
    return skip;
  }

  @Override
  protected void run() throws MojoExecutionException, MojoFailureException {
    core(
        () -> {
          ValidationRequest request = request();
          getLog().info("Validating " + request.directory());
          ValidationReport report = new Validator(new MavenReporter(getLog())).validate(request);
          getLog().info(report.summary());
          if (!report.passed()) {
            Path reports = request.reportDirectory();
            throw new UserErrorException(
                report.summary()
                    + (reports == null ? "" : "; see " + reports.resolve("validation.html")));
          }
          return null;
        });
  }

  /**
   * What the default model name comes from, as stage names it: the folder, or for a Hub id {@code
   * org/name[@revision]} that is not an existing path, {@code name}.
   */
  private File nameSource(String checkpoint) {
    String text = checkpoint.strip();
    File folder = new File(text).isAbsolute() ? new File(text) : new File(basedir, text);
    return !folder.exists() && HubId.looksLikeId(text)
        ? new File(HubId.parse(text).name())
        : folder;
  }

  /** The request from the parameters; a {@link UserErrorException} names a wrong setting. */
  private ValidationRequest request() {
    File folder = directory;
    if (folder == null
        && (stageDirectory != null
            || (checkpoint != null && !checkpoint.isBlank())
            || modelName != null)) {
      folder =
          stageDirectory(
              stageDirectory,
              modelName,
              checkpoint != null && !checkpoint.isBlank()
                  ? nameSource(checkpoint)
                  : new File(modelName),
              basedir);
    }
    if (folder == null) {
      throw new UserErrorException(
          "No staged folder to validate; set "
              + Properties.VALIDATE_DIRECTORY
              + " (e.g. public/models/NAME) or "
              + Properties.CHECKPOINT);
    }
    boolean explicit = reference != null;
    File ref = explicit ? reference : withoutPom(exportedReference, basedir);
    try {
      ValidationRequest request =
          new ValidationRequest(
                  folder.toPath(),
                  ref == null ? null : ref.toPath(),
                  explicit,
                  minTopOneAgreement,
                  greedySteps,
                  allowCpuFallback,
                  strict,
                  withoutPom(reportDirectory, basedir).toPath(),
                  maxModelBytes)
              .withAllowWebGpuOnly(allowWebGpuOnly);
      if (examples != null) {
        File ex = withoutPom(examples, basedir);
        File tl = tools == null ? null : withoutPom(tools, basedir);
        request =
            request.withExamples(
                new ExampleGate(
                    ex.toPath(),
                    tl == null ? null : tl.toPath(),
                    minToolCallAccuracy,
                    minAnswerAccuracy,
                    maxExamples,
                    ExampleGate.DEFAULT_MAX_NEW_TOKENS));
      }
      return request;
    } catch (IllegalArgumentException e) {
      throw new UserErrorException("Invalid validate setting: " + e.getMessage(), e);
    }
  }
}
