// The PKI secrets engine: a Vault-compatible certificate authority (issuers, keys, roles,
// issue/sign, revocation, CRLs).
import { defineBackend, type Backend } from '../../core/backend.js';
import { caPaths } from './paths/ca.js';
import { configPaths } from './paths/config.js';
import { issuerPaths } from './paths/issuers.js';
import { keyPaths } from './paths/keys.js';

export const pkiBackend: Backend = defineBackend({
  type: 'pki',
  summary: 'The PKI secrets engine issues X.509 certificates.',
  paths: [...caPaths, ...issuerPaths, ...keyPaths, ...configPaths],
});
