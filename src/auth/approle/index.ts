// The AppRole auth method: roles with a role-id and secret-ids, for machines and CI jobs.
import { defineBackend } from '../../core/backend.js';
import { rolePaths } from './roles.js';
import { secretIdPaths } from './secret-ids.js';
import { loginPath, renewLogin } from './login.js';
import { forgetKeys } from './keys.js';

export const approleBackend = defineBackend({
  type: 'approle',
  summary: 'The AppRole auth method: machines log in with a role-id and a secret-id.',
  paths: [...rolePaths(), ...secretIdPaths(), loginPath],
  onSeal: async () => forgetKeys(),
  renewLogin,
  // Lockout counts failures per role-id, trimmed as login trims it.
  loginAlias: (path, data) => (path === 'login' && typeof data.role_id === 'string' && data.role_id.trim() !== '' ? data.role_id.trim() : undefined),
});
