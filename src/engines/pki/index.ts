// The PKI secrets engine: a Vault-compatible certificate authority (issuers, keys, roles,
// issue/sign, revocation, CRLs).
import { defineBackend, type Backend } from '../../core/backend.js';
import { acmePaths } from './paths/acme.js';
import { caPaths } from './paths/ca.js';
import { configPaths } from './paths/config.js';
import { fetchPaths } from './paths/fetch.js';
import { issuePaths } from './paths/issue.js';
import { issuerPaths } from './paths/issuers.js';
import { keyPaths } from './paths/keys.js';
import { revocationPaths } from './paths/revocation.js';
import { ocspPaths } from './paths/ocsp.js';
import { rolePaths } from './paths/roles.js';
import { selfIssuedPaths } from './paths/self-issued.js';
import { tidyPaths } from './paths/tidy.js';
import { crlConfig, rebuildCrls } from './crl.js';
import { getJson } from './store.js';
import { revokeSerial } from './revoke.js';
import { normalizeSerial } from './certs.js';
import { pkiPeriodic } from './periodic.js';

export const pkiBackend: Backend = defineBackend({
  type: 'pki',
  summary: 'The PKI secrets engine issues X.509 certificates.',
  paths: [...caPaths, ...selfIssuedPaths, ...issuerPaths, ...keyPaths, ...configPaths, ...rolePaths, ...issuePaths, ...fetchPaths, ...revocationPaths, ...ocspPaths, ...tidyPaths, ...acmePaths],
  // Vault: revoking a certificate's lease (generate_lease) revokes the certificate.
  // The lease context carries no clock: wall time it is. A certificate that is gone (tidied)
  // has nothing left to revoke.
  // Auto-tidy, CRL auto-rebuild and the ACME validation queue.
  periodic: pkiPeriodic,
  revokeSecret: async ({ storage, internal }) => {
    const serial = String(internal.serial_number ?? '');
    if (!(await getJson(storage, `certs/${normalizeSerial(serial)}`))) return;
    const result = await revokeSerial(storage, serial, Date.now());
    if (result.changed && !(await crlConfig(storage)).auto_rebuild) await rebuildCrls(storage, Date.now());
  },
});
