// The database secrets engine: dynamic users with leases, static users with rotated passwords,
// for PostgreSQL and MySQL/MariaDB. Database access lives in src/util/sql/, which knows nothing of
// this engine's paths or storage.
import { defineBackend, type Backend } from '../../core/backend.js';
import { closeAllConnections } from './connection.js';
import { configListPath, configPath, reloadPath, resetPath, rotateRootPath } from './paths/config.js';
import { credsPath } from './paths/creds.js';
import { roleListPath, rolePath } from './paths/roles.js';
import { rotateRolePath, staticCredsPath, staticRoleListPath, staticRolePath } from './paths/static-roles.js';
import { runDueRotations } from './rotation.js';
import { renewCreds, revokeCreds } from './secrets.js';

/** The database backend (one for every mount; pools are named by each config's connection id). */
export const databaseBackend: Backend = defineBackend({
  type: 'database',
  summary: 'Issue short-lived database users and rotate the passwords of long-lived ones.',
  paths: [
    configPath, configListPath, resetPath, reloadPath, rotateRootPath, rolePath, roleListPath, credsPath,
    staticRolePath, staticRoleListPath, staticCredsPath, rotateRolePath,
  ],
  revokeSecret: revokeCreds,
  renewSecret: renewCreds,
  periodic: ({ storage, now, passwords }) => runDueRotations(storage, now, passwords),
  onSeal: closeAllConnections,
});
