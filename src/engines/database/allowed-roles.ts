// A connection's allowed_roles, as Vault reads it: "*" allows every role, and an entry may be a
// glob in which each "*" stands for any run of characters ("app-*", "*-reader").
import { globMatch } from '../../util/glob.js';
import type { ConnectionConfig } from './store.js';
import { EngineFailure } from './connection.js';


/** Whether the connection lets `role` use it. */
export function allowsRole(config: Pick<ConnectionConfig, 'allowed_roles'>, role: string): boolean {
  return config.allowed_roles.some((pattern) => globMatch(pattern, role));
}

/** Throws Vault's error (a 500, as Vault answers) when the connection does not allow `role`. */
export function mustAllow(config: Pick<ConnectionConfig, 'allowed_roles'>, role: string): void {
  if (!allowsRole(config, role)) throw new EngineFailure(`"${role}" is not an allowed role`);
}
