// The Vault API level Lockbox implements. Clients gate the fields they send on this (Terraform
// at 1.14, 1.15, 1.18, 1.19), and Terraform panics unless it is strict semver: raise it only
// together with the fields it implies.

/** Reported as `version` by sys/seal-status, sys/health and sys/version-history. */
export const VAULT_API_VERSION = '1.15.0';

/** When this build was made, as Vault reports `build_date`. */
export const BUILD_DATE = '2026-11-25T00:00:00Z';
