/**
 * The model this app chats with, staged into public/models/ by `mvn package` (the
 * edge-llm-maven-plugin's stage goal). The Maven build sets VITE_MODEL_PATH from the pom's
 * edgellm.modelName; `npm run dev` uses the default below.
 *
 * A path starting with "/" is served by this app; a Hugging Face id such as
 * "onnx-community/gemma-3-270m-it-ONNX" would load from the Hub instead.
 */
export const MODEL_PATH: string =
  import.meta.env.VITE_MODEL_PATH || "/models/${modelName}";
