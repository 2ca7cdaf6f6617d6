package dev.edgellm.maven;

/**
 * Every user property of the Edge-LLM goals, in one place. Each constant is the name users pass
 * with {@code -D} on the command line or set in a pom's {@code <properties>}; all share the {@code
 * edgellm.} prefix. The mojos reference these names in their {@code @Parameter(property = ...)}
 * annotations; the core names them from here too (in its error messages and in the settings its
 * up-to-date checks record), so this class holds nothing but constants and depends on nothing.
 */
public final class Properties {
  private Properties() {}

  // ---- quantize --------------------------------------------------------------------------------
  /** The ONNX model to quantize (one file, or {@code model.onnx} with external data beside it). */
  public static final String QUANTIZE_INPUT = "edgellm.quantize.input";

  /** Where the 4-bit model is written, as one embedded file. */
  public static final String QUANTIZE_OUTPUT = "edgellm.quantize.output";

  /** Elements per quantization block along K: 16, 32, 64, 128 or 256. */
  public static final String QUANTIZE_BLOCK_SIZE = "edgellm.quantize.blockSize";

  /** Symmetric (signed scale, implicit zero point 8) or asymmetric (explicit zero points). */
  public static final String QUANTIZE_SYMMETRIC = "edgellm.quantize.symmetric";

  /** MatMulNBits {@code accuracy_level} (0 = unset, 1 = fp32, 2 = fp16, 3 = bf16, 4 = int8). */
  public static final String QUANTIZE_ACCURACY_LEVEL = "edgellm.quantize.accuracyLevel";

  /** Comma-separated node names left unquantized. */
  public static final String QUANTIZE_EXCLUDE_NODES = "edgellm.quantize.excludeNodes";

  /** Also quantize Gather tables (embeddings) to GatherBlockQuantized. */
  public static final String QUANTIZE_EMBEDDINGS = "edgellm.quantize.embeddings";

  /**
   * How each 4-bit block's scale is chosen: {@code search} (default: a per-block search of the
   * scale, and of the zero point when asymmetric, for the least squared reconstruction error; no
   * calibration data, same format and kernels) or {@code rtn} (round to nearest, bit-exact with
   * onnxruntime's quantizer when {@code edgellm.quantize.keep} is {@code none}). Also applies to
   * {@code export} with precision {@code q4}.
   */
  public static final String QUANTIZE_METHOD = "edgellm.quantize.method";

  /**
   * Which MatMul weights stay at 8 bits ({@code MatMulNBits bits=8}; a shared embedding follows the
   * tied lm_head): {@code auto} (default: the weights that matter most, the tied lm_head, then v,
   * k, q, o, down, up, gate projections, as long as the model file grows by at most 10% over its
   * all-4-bit size), {@code none} (all 4-bit, onnxruntime's output) or a comma-separated list of
   * name fragments ({@code lm_head,v_proj}). Also applies to {@code export} with precision {@code
   * q4}.
   */
  public static final String QUANTIZE_KEEP = "edgellm.quantize.keep";

  /**
   * Write the 4-bit model with external data ({@code model.onnx} + {@code model.onnx_data}, {@code
   * model.onnx_data_1}, …) even when it fits in one file (default false: only an output over
   * protobuf's 2 GiB limit is written so).
   */
  public static final String QUANTIZE_EXTERNAL_DATA = "edgellm.quantize.externalData";

  /** Largest external data chunk quantize writes, in bytes (default 1073741824, 1 GiB). */
  public static final String QUANTIZE_EXTERNAL_DATA_CHUNK_BYTES =
      "edgellm.quantize.externalDataChunkBytes";

  /** Skip the quantize goal. */
  public static final String QUANTIZE_SKIP = "edgellm.quantize.skip";

  // ---- export ----------------------------------------------------------------------------------
  /**
   * The checkpoint: a folder (config.json plus model.safetensors or its shards, and the tokenizer
   * files), or a Hugging Face Hub id {@code org/name} or {@code org/name@revision} (a branch, tag
   * or 40-hex commit), downloaded into the Hugging Face cache shared with huggingface_hub ({@code
   * HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}); only the
   * files export and stage read are fetched. A path that exists is always the folder, so a folder
   * {@code org/name} next to the pom shadows the id; write {@code ./org/name} to mean a folder.
   * {@code HF_ENDPOINT}, {@code HF_TOKEN} (else the token file under {@code HF_HOME}) and {@code
   * HF_HUB_OFFLINE=1} apply; Maven's {@code -o} also means cache only.
   */
  public static final String CHECKPOINT = "edgellm.checkpoint";

  /**
   * A fine-tuning adapter folder merged into the checkpoint's weights while they stream (in fp32,
   * before export or quantization), so no separate fuse step is needed: what {@code mlx_lm lora
   * --adapter-path DIR} writes ({@code adapters.safetensors} + {@code adapter_config.json}; {@code
   * fine_tune_type} lora, dora or full) or PEFT's {@code save_pretrained} output ({@code
   * adapter_model.safetensors} + {@code adapter_config.json}; LoRA, rsLoRA, DoRA). Used by export,
   * and by stage, which records it with its SHA-256 in {@code edge-llm.json}. Unset: none.
   */
  public static final String ADAPTER = "edgellm.adapter";

  /**
   * Where the exported model is written ({@code model.onnx}, plus {@code model.onnx_data} when over
   * 2 GB); default {@code ${project.build.directory}/edge-llm/model-q4}, {@code .../model-q4f16} or
   * {@code .../model-fp32}.
   */
  public static final String EXPORT_OUTPUT = "edgellm.export.output";

  /**
   * {@code q4} (default: 4-bit MatMulNBits written directly from the checkpoint), {@code q4f16}
   * (the same weights with float16 activations, KV cache, scales and logits, for WebGPU adapters
   * with {@code shader-f16}; the architecture keeps fragile parts, e.g. Gemma's norms and residual
   * stream, float32) or {@code fp32}.
   */
  public static final String EXPORT_PRECISION = "edgellm.export.precision";

  /**
   * How a q4 export stores the token embedding: {@code shared} (default: a 4-bit
   * GatherBlockQuantized sharing a tied lm_head's weight) or {@code fp32} (a float32 Gather table).
   */
  public static final String EXPORT_EMBEDDINGS = "edgellm.export.embeddings";

  /**
   * Largest model, in bytes, the export writes as one embedded {@code model.onnx}; a larger one is
   * written with external data ({@code model.onnx_data}) instead (default 2147483647: protobuf's 2
   * GiB limit). Lower it to try external data out on a small model. (Export used to read {@link
   * #MAX_MODEL_BYTES} for this; it no longer does.)
   */
  public static final String EXPORT_MAX_EMBEDDED_BYTES = "edgellm.export.maxEmbeddedBytes";

  /**
   * Write the exported model with external data even when it fits in one file: {@code
   * onnx/model.onnx} plus chunks {@code model.onnx_data}, {@code model.onnx_data_1}, … (default
   * false: only a model over {@link #EXPORT_MAX_EMBEDDED_BYTES} is written so). The stage goal
   * copies the chunks and declares them to Transformers.js ({@code use_external_data_format}).
   */
  public static final String EXPORT_EXTERNAL_DATA = "edgellm.export.externalData";

  /**
   * Largest external data chunk the export writes, in bytes (default 1073741824, 1 GiB; at most
   * 2147483647): tensors are packed in order, 4096-byte aligned, and a chunk is closed when the
   * next tensor would take it over this size (a larger tensor gets a chunk of its own).
   */
  public static final String EXPORT_EXTERNAL_DATA_CHUNK_BYTES =
      "edgellm.export.externalDataChunkBytes";

  /** Default of the external data chunk sizes: 1 GiB. */
  public static final String EXTERNAL_DATA_CHUNK_BYTES_DEFAULT = "1073741824";

  /** Skip the export goal. */
  public static final String EXPORT_SKIP = "edgellm.export.skip";

  // ---- Hugging Face Hub (export and stage) -----------------------------------------------------
  /**
   * The Hub token for a private or gated {@code edgellm.checkpoint} id; overrides {@code HF_TOKEN}
   * and the token file under {@code HF_HOME}. It is sent only to the Hub's own host and never
   * written to a log, an error or a file by the plugin; prefer {@code HF_TOKEN} or {@code hf auth
   * login}: a {@code -D} value shows in the process list, and {@code mvn -X} prints every
   * parameter's value.
   */
  public static final String HUB_TOKEN = "edgellm.hub.token";

  /**
   * The Hub to download {@code edgellm.checkpoint} ids from, e.g. a company mirror; overrides
   * {@code HF_ENDPOINT} (default {@code https://huggingface.co}).
   */
  public static final String HUB_ENDPOINT = "edgellm.hub.endpoint";

  // ---- stage -----------------------------------------------------------------------------------
  /**
   * The model's name: the staged folder is {@code public/models/<name>}; defaults to the
   * checkpoint's folder name.
   */
  public static final String MODEL_NAME = "edgellm.modelName";

  /**
   * The ONNX model to stage; in a pom defaults to the quantize goal's {@code
   * target/edge-llm/model-q4/model.onnx}.
   */
  public static final String STAGE_MODEL = "edgellm.stage.model";

  /**
   * The folder the web app loads the model from; in a pom defaults to {@code
   * public/models/<modelName>}.
   */
  public static final String STAGE_DIRECTORY = "edgellm.stage.directory";

  /**
   * {@code local} (default): {@code onnx/model.onnx} with {@code dtype: "fp32"}, loads on WebGPU
   * and WASM from your own server; {@code hub}: {@code onnx/model_q4.onnx} with {@code dtype:
   * "q4"}, for publishing to the Hub.
   */
  public static final String STAGE_LAYOUT = "edgellm.stage.layout";

  /**
   * Dtype variants staged side by side, e.g. {@code q4f16,q4}: the 4-bit model as {@code
   * onnx/model_q4.onnx} (dtype {@code q4}, every device) and its float16 form as {@code
   * onnx/model_q4f16.onnx} (the conversion {@code edgellm.export.precision=q4f16} makes;
   * config.json's {@code device_config.webgpu.dtype} is {@code q4f16}), whatever the layout. The
   * generated app loads q4f16 where the WebGPU adapter has {@code shader-f16} and q4 otherwise.
   * Empty (default): the model alone.
   */
  public static final String STAGE_VARIANTS = "edgellm.stage.variants";

  /**
   * A folder to take {@code tokenizer.json}, {@code tokenizer_config.json} and {@code
   * chat_template.*} from instead of the checkpoint, e.g. the base model's when a fine-tuning tool
   * saved only the weights.
   */
  public static final String STAGE_TOKENIZER = "edgellm.stage.tokenizer";

  /** Skip the stage goal. */
  public static final String STAGE_SKIP = "edgellm.stage.skip";

  // ---- validate --------------------------------------------------------------------------------
  /** The staged folder to validate; in a pom defaults to the stage goal's directory. */
  public static final String VALIDATE_DIRECTORY = "edgellm.validate.directory";

  /**
   * An fp32 ONNX model of the same checkpoint for the quality gate; in a pom defaults to the export
   * goal's {@code target/edge-llm/model-fp32/model.onnx} when it exists. Without one the quality
   * gate is skipped.
   */
  public static final String VALIDATE_REFERENCE = "edgellm.validate.reference";

  /**
   * The quality gate fails when the staged model's top-1 token agrees with the reference less often
   * (0..1, default 0.9).
   */
  public static final String VALIDATE_MIN_TOP_ONE_AGREEMENT = "edgellm.validate.minTopOneAgreement";

  /** Greedy decoding steps of the real run through the KV cache (default 8). */
  public static final String VALIDATE_GREEDY_STEPS = "edgellm.validate.greedySteps";

  /**
   * Report ops without a WebGPU kernel (they run on the CPU, slowly) as warnings instead of errors.
   */
  public static final String VALIDATE_ALLOW_CPU_FALLBACK = "edgellm.validate.allowCpuFallback";

  /** Report warnings as errors. */
  public static final String VALIDATE_STRICT = "edgellm.validate.strict";

  /**
   * The examples the model was fine-tuned on (or held out), replayed through the whole tool loop on
   * the staged model and the fp32 reference: Edge-LLM's fine-tuning format (a JSON array of {@code
   * {userQuery, expectedToolCalls: [{name, arguments}], toolResponses, expectedFinalResponse}})
   * with the tools of {@code edgellm.validate.tools}, or JSONL of chat {@code messages} (+ optional
   * {@code tools}) whose last assistant message is the expected reply. When set, these examples are
   * the quality gate ({@code quality.examples}) and the top-1 agreement only warns.
   */
  public static final String VALIDATE_EXAMPLES = "edgellm.validate.examples";

  /**
   * The tool definitions the examples use, in Edge-LLM's tool-definitions format ({@code [{name,
   * description, parameters}]}); they are declared to the chat template as the app declares them.
   */
  public static final String VALIDATE_TOOLS = "edgellm.validate.tools";

  /**
   * The share of examples whose tool calls (name and arguments) must be exact: a fraction of the
   * fp32 reference's share when there is a reference (default 1.0: every call the fp32 model gets
   * right), else of all examples.
   */
  public static final String VALIDATE_MIN_TOOL_CALL_ACCURACY =
      "edgellm.validate.minToolCallAccuracy";

  /**
   * The share of examples whose final answer must be exact (after the expected calls and tool
   * responses), like {@code minToolCallAccuracy} (default 0.9 of the reference's share: free text
   * may drift by a word where the calls stay exact).
   */
  public static final String VALIDATE_MIN_ANSWER_ACCURACY = "edgellm.validate.minAnswerAccuracy";

  /** Replay at most this many examples, the first ones (default 100), to bound the build's time. */
  public static final String VALIDATE_MAX_EXAMPLES = "edgellm.validate.maxExamples";

  /** Where validation.json and validation.html are written; defaults to {@code target/edge-llm}. */
  public static final String VALIDATE_REPORT_DIRECTORY = "edgellm.validate.reportDirectory";

  /** Skip the validate goal. */
  public static final String VALIDATE_SKIP = "edgellm.validate.skip";

  // ---- limits ----------------------------------------------------------------------------------
  /**
   * Largest ONNX model file, in bytes, that quantize writes and stage and validate accept (default
   * 2147483647: protobuf's 2 GiB limit, which is also what a browser can load); a larger model
   * fails the goal. Lower it to keep downloads small. Export does not read it: it writes a model
   * over {@link #EXPORT_MAX_EMBEDDED_BYTES} with external data.
   */
  public static final String MAX_MODEL_BYTES = "edgellm.maxModelBytes";

  /**
   * Default of {@link #MAX_MODEL_BYTES} and {@link #EXPORT_MAX_EMBEDDED_BYTES}: protobuf's limit, 2
   * GiB - 1 byte.
   */
  public static final String MAX_MODEL_BYTES_DEFAULT = "2147483647";
}
