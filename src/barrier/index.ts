// The barrier layer's public face: core imports from here, never from the files behind it.
export { AEAD_VERSION, ciphertextTerm, decrypt, encrypt } from './aead.js';
export { Barrier, decryptKeyring, encryptKeyring, KEYRING_PATH, SEAL_CONFIG_PATH } from './barrier.js';
export type { KeyStatus, RotateResult } from './barrier.js';
export { Keyring } from './keyring.js';
export type { KeyTerm } from './keyring.js';
export { ShamirSeal } from './seal.js';
export { validateInitOptions } from './seal-config.js';
export type { SealStatus } from './seal.js';
export type { InitOptions, SealConfig } from './seal-config.js';
export type { SealEvent, SealListener } from './seal-listeners.js';
