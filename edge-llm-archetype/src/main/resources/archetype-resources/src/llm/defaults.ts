/** Most tokens in one reply unless the config says otherwise. */
export const DEFAULT_MAX_NEW_TOKENS = 256;
