// Typed records of the database engine over its mount's storage view (Vault's snake_case):
//   config/<name>        a connection, with its root password (the barrier encrypts it)
//   role/<name>          a dynamic role
//   static-role/<name>   a static role, with the current (and any pending) password
import type { Storage } from '../../storage/storage.js';

/** A connection (database/config/:name). */
export type ConnectionConfig = {
  plugin_name: string;
  plugin_version: string;
  connection_url: string;
  username: string;
  password: string;
  allowed_roles: string[];
  verify_connection: boolean;
  max_open_connections: number;
  max_idle_connections: number;
  /** Seconds. */
  max_connection_lifetime: number;
  password_policy: string;
  username_template: string;
  /** PostgreSQL only: "password", or "scram-sha-256" (statements get a SCRAM verifier, see scram.ts). */
  password_authentication: string;
  disable_escaping: boolean;
  tls_ca: string;
  tls_certificate: string;
  private_key: string;
  root_rotation_statements: string[];
  /** Random per write: names the connection pool, so a changed config never reuses an old one. */
  connection_id: string;
  /** Written before a root rotation sets it in the database; cleared once it is the password. */
  pending_password?: string;
};

/** A dynamic role (database/roles/:name); TTLs in seconds. */
export type Role = {
  db_name: string;
  creation_statements: string[];
  revocation_statements: string[];
  rollback_statements: string[];
  renew_statements: string[];
  default_ttl: number;
  max_ttl: number;
  credential_type: string;
  credential_config: Record<string, unknown>;
};

/** A static role (database/static-roles/:name); times in epoch milliseconds. */
export type StaticRole = {
  db_name: string;
  username: string;
  /** Seconds; 0 when the role rotates on rotation_schedule instead. */
  rotation_period: number;
  /** Five-field cron, UTC; '' when the role rotates every rotation_period. */
  rotation_schedule: string;
  /** Seconds after each scheduled time in which the rotation may still happen; 0 = any time. */
  rotation_window: number;
  rotation_statements: string[];
  credential_type: string;
  credential_config: Record<string, unknown>;
  password: string;
  last_vault_rotation: number;
  /** A new password recorded before it is set in the database (see rotation.ts). */
  pending_password?: string;
  /** When a failed rotation is tried again; 0 = no failure outstanding. */
  retry_at: number;
  failed_attempts: number;
};

/** JSON records under one folder of the storage view. */
function jsonStore<T>(storage: Storage, folder: string) {
  return {
    async get(name: string): Promise<T | undefined> {
      const raw = await storage.get(folder + name);
      return raw && (JSON.parse(raw.toString('utf8')) as T);
    },
    put: (name: string, value: T) => storage.put(folder + name, Buffer.from(JSON.stringify(value))),
    delete: (name: string) => storage.delete(folder + name),
    list: async () => (await storage.list(folder)).filter((k) => !k.endsWith('/')),
  };
}

/** Connections. */
export const connections = (storage: Storage) => jsonStore<ConnectionConfig>(storage, 'config/');
/** Dynamic roles. */
export const roles = (storage: Storage) => jsonStore<Role>(storage, 'role/');
/** Static roles. */
export const staticRoles = (storage: Storage) => jsonStore<StaticRole>(storage, 'static-role/');
