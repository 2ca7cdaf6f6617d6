import { describe, expect, it } from "vitest";
import {
  applySource,
  isLocalModel,
  resolveModelSource,
  type SourceEnv,
} from "./source";

const freshEnv = (): SourceEnv => ({
  allowLocalModels: false,
  allowRemoteModels: true,
  localModelPath: "/models/",
  useBrowserCache: true,
});

describe("model source", () => {
  it("treats a path starting with / as a local model: no dtype, no browser cache", () => {
    expect(resolveModelSource("/models/my-model")).toEqual({
      kind: "local",
      modelId: "my-model",
      localModelPath: "/models/",
      dtype: undefined,
      useBrowserCache: false,
    });
  });

  it("splits deeper local paths and ignores a trailing slash", () => {
    const s = resolveModelSource("/static/llm/tiny/");
    expect(s.modelId).toBe("tiny");
    expect(s.localModelPath).toBe("/static/llm/");
  });

  it("keeps an explicit dtype for a local model", () => {
    expect(resolveModelSource("/models/m", "q4").dtype).toBe("q4");
  });

  it("treats org/name as a Hub model: q4 and the browser cache", () => {
    expect(resolveModelSource("onnx-community/gemma-3-270m-it-ONNX")).toEqual({
      kind: "remote",
      modelId: "onnx-community/gemma-3-270m-it-ONNX",
      dtype: "q4",
      useBrowserCache: true,
    });
    expect(resolveModelSource("org/model-ONNX", "fp16").dtype).toBe("fp16");
  });

  it("rejects what is neither, saying what to write", () => {
    expect(() => resolveModelSource("")).toThrow(/models\.transformers/);
    expect(() => resolveModelSource("my-model")).toThrow(/"\/models\/<name>"/);
    expect(() => resolveModelSource("/")).toThrow(/names no folder/);
    expect(isLocalModel("/models/x")).toBe(true);
    expect(isLocalModel("org/x")).toBe(false);
  });

  it("sets Transformers.js' env for local files only", () => {
    const env = freshEnv();
    applySource(env, resolveModelSource("/models/my-model"));
    expect(env).toEqual({
      allowLocalModels: true,
      allowRemoteModels: false,
      localModelPath: "/models/",
      useBrowserCache: false,
    });
  });

  it("sets Transformers.js' env for the Hub", () => {
    const env = freshEnv();
    env.allowLocalModels = true;
    env.useBrowserCache = false;
    applySource(env, resolveModelSource("org/model-ONNX"));
    expect(env.allowLocalModels).toBe(false);
    expect(env.allowRemoteModels).toBe(true);
    expect(env.useBrowserCache).toBe(true);
  });
});
