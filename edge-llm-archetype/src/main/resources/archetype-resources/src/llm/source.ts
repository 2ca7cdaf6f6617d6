/**
 * Where a model comes from, following the seed guide's table:
 *
 * | model                  | loads from                    | dtype               | browser cache |
 * |------------------------|-------------------------------|---------------------|---------------|
 * | `/models/my-model`     | this app (`public/models/`)   | none (config.json)  | no            |
 * | `org/model-ONNX`       | the Hugging Face Hub          | `q4`                | yes           |
 */
export interface ModelSource {
  kind: "local" | "remote";
  /** The id passed to `from_pretrained`: the folder name (local) or `org/name` (remote). */
  modelId: string;
  /** For a local model: the URL folder that holds it, e.g. `/models/`. */
  localModelPath?: string;
  /** The dtype to request, or undefined to let the model's config.json decide. */
  dtype?: string;
  /** Whether Transformers.js may keep the files in the browser's Cache Storage. */
  useBrowserCache: boolean;
}

/** The subset of Transformers.js' `env` that {@link applySource} sets. */
export interface SourceEnv {
  allowLocalModels: boolean;
  allowRemoteModels: boolean;
  localModelPath: string;
  useBrowserCache: boolean;
}

export const REMOTE_DEFAULT_DTYPE = "q4";

/** True for a model this app serves itself: a path starting with `/`. */
export function isLocalModel(model: string): boolean {
  return model.startsWith("/");
}

export function resolveModelSource(model: string, dtype?: string): ModelSource {
  const trimmed = model.trim();
  if (trimmed.length === 0) {
    throw new Error(
      'No model configured: set models.transformers to "/models/<name>" or "org/model-ONNX".',
    );
  }
  if (isLocalModel(trimmed)) {
    const path = trimmed.replace(/\/+$/, "");
    const slash = path.lastIndexOf("/");
    const modelId = path.slice(slash + 1);
    if (modelId.length === 0) {
      throw new Error(
        `Model path "${model}" names no folder; use "/models/<name>".`,
      );
    }
    return {
      kind: "local",
      modelId,
      localModelPath: path.slice(0, slash + 1),
      dtype,
      useBrowserCache: false,
    };
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(trimmed)) {
    throw new Error(
      `Model "${model}" is neither a local path ("/models/<name>") nor a Hub id ("org/model-ONNX").`,
    );
  }
  return {
    kind: "remote",
    modelId: trimmed,
    dtype: dtype ?? REMOTE_DEFAULT_DTYPE,
    useBrowserCache: true,
  };
}

/** Points Transformers.js at the source: local files only, or the Hub with its cache. */
export function applySource(env: SourceEnv, source: ModelSource): void {
  if (source.kind === "local") {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = source.localModelPath ?? "/models/";
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
  }
  env.useBrowserCache = source.useBrowserCache;
}
