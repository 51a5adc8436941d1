// The audit device types that can be enabled. Adding a type is one line here.
import { BadRequest } from '../../util/errors.js';
import type { AuditDevice, DeviceFactory } from './device.js';
import { openFileDevice } from './file.js';
import { openSocketDevice } from './socket.js';
import { openSyslogDevice } from './syslog.js';

export type { AuditDevice } from './device.js';

/** Device types by name, as `sys/audit/:path` takes them in `type`. */
export const deviceTypes: ReadonlyMap<string, DeviceFactory> = new Map<string, DeviceFactory>([
  ['file', openFileDevice],
  ['socket', openSocketDevice],
  ['syslog', (options) => openSyslogDevice(options)],
]);

/** Opens a device of `type`; 400 for an unknown type, bad options, or a target that cannot be opened. */
export async function openDevice(type: string, options: Record<string, string>): Promise<AuditDevice> {
  const factory = deviceTypes.get(type);
  if (!factory) throw new BadRequest(`unknown backend type: "${type}"`);
  return factory(options);
}
