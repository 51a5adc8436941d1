// Audit devices: what start.ts installs as core's broker, and what sys/ and SIGHUP call.
import type { Core } from '../core/core.js';
import { AuditDevices } from './broker.js';

export { AuditDevices, type EnableRequest } from './broker.js';
export { auditPaths } from './paths.js';
export { deviceTypes } from './devices/index.js';

/** Reopens every audit device of `core` (the SIGHUP handler's call, after log rotation). */
export async function reopenAll(core: Core): Promise<void> {
  if (core.audit instanceof AuditDevices) await core.audit.reopenAll();
}
