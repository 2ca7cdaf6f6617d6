import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { dropBundledOrtWasm, edgeLlm } from "./edge-llm.vite";

export default defineConfig({
  plugins: [edgeLlm()],
  esbuild: { jsx: "automatic" },
  // The model worker imports Transformers.js as an ES module.
  worker: { format: "es", plugins: () => [dropBundledOrtWasm()] },
  optimizeDeps: { exclude: ["@huggingface/transformers"] },
  build: { chunkSizeWarningLimit: 2048 },
  // Code written for Edge-LLM imports these; src/llm is a drop-in (src/compat proves it).
  resolve: {
    alias: {
      "@edge-llm/react": fileURLToPath(
        new URL("./src/llm/index.ts", import.meta.url),
      ),
      "@edge-llm/core": fileURLToPath(
        new URL("./src/llm/index.ts", import.meta.url),
      ),
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    // *.test-d.ts: type tests, checked by tsc (the compatibility with @edge-llm/react among them).
    typecheck: {
      enabled: true,
      include: ["src/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
