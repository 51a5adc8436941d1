// Every auth method type that can be enabled at sys/auth. Adding a method is one folder under
// src/auth/ and one line here. (The token store, auth/token/, is built by the server itself:
// it exists once and cannot be enabled.)
import type { Backend } from '../core/backend.js';
import { approleBackend } from './approle/index.js';
import { jwtBackend } from './jwt/index.js';
import { kubernetesBackend } from './kubernetes/index.js';
import { userpassBackend } from './userpass/index.js';

/** Picks the backend for an auth mount from its options (methods so far have just one). */
export type AuthMethodFactory = (options: Record<string, string>) => Backend;

/** Auth methods by type. */
export const authMethods: ReadonlyMap<string, AuthMethodFactory> = new Map<string, AuthMethodFactory>([
  ['approle', () => approleBackend],
  ['jwt', () => jwtBackend],
  ['kubernetes', () => kubernetesBackend],
  ['oidc', () => jwtBackend],
  ['userpass', () => userpassBackend],
]);
