// Root rotation, durable in the same way as static roles: the new password is stored in the
// config (pending_password) before the database is changed, so a crash in between leaves a
// record that repairPendingRoot settles at the next unseal: whichever password logs in wins.
import { randomUUID } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import type { PasswordGenerator } from '../../core/password-policy.js';
import { closeConnection, connectionOf, EngineFailure, openUncached, storedConnection, talk } from './connection.js';
import { connections, type ConnectionConfig } from './store.js';
import { passwordForStatements } from './scram.js';

/** Rotates a connection's root password; afterwards only the server knows it. */
export async function rotateRoot(storage: Storage, name: string, passwords: PasswordGenerator): Promise<void> {
  const config = await storedConnection(storage, name);
  if (config.username === '') throw new EngineFailure('unable to rotate root credentials: no username in configuration');
  // A password written into connection_url itself would outlive the rotation: Vault refuses too.
  if (config.password === '') throw new EngineFailure('unable to rotate root credentials: no password in configuration');
  const password = await passwords(config.password_policy);
  await connections(storage).put(name, { ...config, pending_password: password });
  try {
    const statementPassword = await passwordForStatements(config, password);
    await talk('failed to update user', [config.password, password, statementPassword], () =>
      connectionOf(config).setPassword(config.root_rotation_statements, { username: config.username, password: statementPassword }));
  } catch (err) {
    // The database refused, so the old password still holds: forget the new one.
    await connections(storage).put(name, config);
    throw err;
  }
  await adopt(storage, name, config, password);
}

async function adopt(storage: Storage, name: string, config: ConnectionConfig, password: string): Promise<void> {
  const { pending_password: _pending, ...rest } = config;
  await connections(storage).put(name, { ...rest, password, connection_id: randomUUID() });
  await closeConnection(config.connection_id);
}

/** Settles a root rotation a crash interrupted; leaves it for later if the database is down. */
export async function repairPendingRoot(storage: Storage, name: string): Promise<void> {
  const config = await connections(storage).get(name);
  const pending = config?.pending_password;
  if (!config || pending === undefined) return;
  if (await logsIn(config, pending)) return adopt(storage, name, config, pending);
  if (await logsIn(config, config.password)) {
    const { pending_password: _pending, ...rest } = config;
    await connections(storage).put(name, rest);
  }
}

async function logsIn(config: ConnectionConfig, password: string): Promise<boolean> {
  const conn = openUncached({ ...config, max_open_connections: 1 }, password);
  try {
    await conn.verify();
    return true;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => undefined);
  }
}
