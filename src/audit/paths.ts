// sys/audit (list), sys/audit/:path (enable, disable) and sys/audit-hash/:path, as Vault
// declares them: the first two are root-protected (sudo), the hash is not.
import { Internal } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';
import { AuditDevices } from './broker.js';

/** The installed broker; the paths only work once start.ts has set `core.audit` to ours. */
function devicesOf(core: Core): AuditDevices {
  if (core.audit instanceof AuditDevices) return core.audit;
  throw new Internal('audit devices are not installed');
}

const pathField = field.name({ description: 'Path of the audit device ("file", "ops/file").' });

/** sys/audit, sys/audit/:path and sys/audit-hash/:path. */
export function auditPaths(core: Core) {
  return [
    definePath({
      pattern: 'audit', summary: 'List the enabled audit devices.', fields: {}, sudo: true,
      operations: {
        read: async () => {
          const data = Object.fromEntries(devicesOf(core).list().map((e) => [e.path, {
            type: e.type, description: e.description, options: e.options, local: e.local, path: e.path,
          }]));
          return { data, dataAtTopLevel: true };
        },
      },
    }),
    definePath({
      pattern: 'audit/*path', summary: 'Enable or disable an audit device.', sudo: true,
      fields: {
        path: pathField,
        type: field.string({ description: 'Device type: file, socket or syslog.', required: true }),
        description: field.string({ description: 'A human-friendly description.' }),
        options: field.stringMap({ description: 'Device options (file_path, address, log_raw…), as strings.' }),
        local: field.bool({ description: 'Kept for compatibility; Lockbox does not replicate.' }),
      },
      operations: {
        update: async ({ fields }) => {
          const { path, ...req } = fields;
          await devicesOf(core).enable(path, req);
        },
        delete: async ({ fields }) => { await devicesOf(core).disable(fields.path); },
      },
    }),
    definePath({
      pattern: 'audit-hash/*path', summary: 'Hash a value as the audit device at path would log it.',
      fields: {
        path: pathField,
        input: field.string({ description: 'The value to hash.', required: true, sensitive: true }),
      },
      operations: {
        update: async ({ fields }) => {
          const hash = await devicesOf(core).hash(fields.path, fields.input);
          return { data: { hash }, dataAtTopLevel: true };
        },
      },
    }),
  ];
}
