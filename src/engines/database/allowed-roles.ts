// A connection's allowed_roles, as Vault reads it: "*" allows every role, and an entry may be a
// glob in which each "*" stands for any run of characters ("app-*", "*-reader").
import type { ConnectionConfig } from './store.js';
import { EngineFailure } from './connection.js';

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  return new RegExp(`^${pattern.split('*').map(escape).join('[\\s\\S]*')}$`).test(name);
}

/** Whether the connection lets `role` use it. */
export function allowsRole(config: Pick<ConnectionConfig, 'allowed_roles'>, role: string): boolean {
  return config.allowed_roles.some((pattern) => globMatches(pattern, role));
}

/** Throws Vault's error (a 500, as Vault answers) when the connection does not allow `role`. */
export function mustAllow(config: Pick<ConnectionConfig, 'allowed_roles'>, role: string): void {
  if (!allowsRole(config, role)) throw new EngineFailure(`"${role}" is not an allowed role`);
}
