import { defineConfig } from "vitest/config";
import { dropBundledOrtWasm, edgeLlm } from "./edge-llm.vite";

export default defineConfig({
  plugins: [edgeLlm()],
  esbuild: { jsx: "automatic" },
  // The model worker imports Transformers.js as an ES module.
  worker: { format: "es", plugins: () => [dropBundledOrtWasm()] },
  optimizeDeps: { exclude: ["@huggingface/transformers"] },
  build: { chunkSizeWarningLimit: 2048 },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
