/** Most tokens in one generation unless the config says otherwise. */
export const DEFAULT_MAX_NEW_TOKENS = 256;

/** Most rounds of tool calls in one send() unless the config or the call says otherwise. */
export const DEFAULT_MAX_TOOL_ROUNDS = 5;

/** How long the worker may stay silent while loading (no progress at all) before loading fails. */
export const LOAD_TIMEOUT_MS = 10 * 60_000;

/** How long the worker may stay silent during a generation (between tokens) by default. */
export const GENERATE_TIMEOUT_MS = 5 * 60_000;

/** How long clearing the cache may take. */
export const CLEAR_CACHE_TIMEOUT_MS = 30_000;
