// consul-template's pure functions (no Vault, file or environment access).
export const consulTemplateFuncs: Record<string, (...args: unknown[]) => unknown> = {};
