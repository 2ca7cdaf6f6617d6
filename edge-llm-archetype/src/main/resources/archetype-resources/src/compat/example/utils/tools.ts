// Stand-in for examples/app/src/utils/tools.ts (same export; this app's tools instead of the
// example's, whose calculator uses Function()).
import type { ToolDefinition } from "@edge-llm/core";
import { tools } from "../../../tools";

export const exampleTools: ToolDefinition[] = tools;
