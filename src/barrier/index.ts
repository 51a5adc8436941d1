// The barrier layer's public face: core imports from here, never from the files behind it.
export { AEAD_VERSION, ciphertextTerm, decrypt, encrypt } from './aead.js';
export { Barrier, decryptKeyring, encryptKeyring, KEYRING_PATH, SEAL_CONFIG_PATH } from './barrier.js';
export type { KeyStatus, RotateResult } from './barrier.js';
export { Keyring } from './keyring.js';
export type { KeyTerm } from './keyring.js';
export { ShamirSeal, validateInitOptions } from './seal.js';
export type { InitOptions, SealConfig, SealEvent, SealListener, SealStatus } from './seal.js';
