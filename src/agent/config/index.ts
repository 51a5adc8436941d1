// The agent's configuration: loading (files, directories, merging), parsing and validation.
export { loadConfig, loadFile, mergeConfig, validateConfig, emptyConfig, isTemporaryFile, ConfigError } from './load.js';
export { parseConfig } from './parse.js';
export { parseDocument } from './tree.js';
export { parseDurationMs, parseBool } from './body.js';
export * from './types.js';
