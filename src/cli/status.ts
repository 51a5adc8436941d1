// `lockbox status`: the seal state at a glance. Exit codes follow Vault so scripts can branch
// on them: 0 unsealed, 2 sealed (or not initialised), 1 when the server cannot be asked.
import { ApiError, ConnectionError, type Client } from './client.js';
import { asObject, type Json } from './json.js';
import { expectArgs, type Context, type Subcommand } from './command.js';
import { apiFlags } from './flags.js';
import { err, kvTable, out, printJson, type Format } from './output.js';

/** Vault's status rows for a sys/seal-status body; progress and nonce only while sealed. */
export function sealStatusPairs(s: Json, haEnabled: boolean, leader?: Json): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Seal Type', String(s.type ?? '')],
    ['Initialized', String(s.initialized ?? false)],
    ['Sealed', String(s.sealed ?? true)],
    ['Total Shares', String(s.n ?? 0)],
    ['Threshold', String(s.t ?? 0)],
  ];
  if (s.sealed) rows.push(['Unseal Progress', `${String(s.progress ?? 0)}/${String(s.t ?? 0)}`], ['Unseal Nonce', String(s.nonce ?? '')]);
  rows.push(['Version', String(s.version ?? '')]);
  if (s.build_date) rows.push(['Build Date', String(s.build_date)]);
  if (s.storage_type) rows.push(['Storage Type', String(s.storage_type)]);
  if (s.cluster_name) rows.push(['Cluster Name', String(s.cluster_name)]);
  if (s.cluster_id) rows.push(['Cluster ID', String(s.cluster_id)]);
  rows.push(['HA Enabled', String(haEnabled)]);
  if (haEnabled && leader) rows.push(...haPairs(leader));
  return rows;
}

/** Vault's HA rows from a sys/leader body: the mode, and the active node's address or start. */
function haPairs(leader: Json): Array<[string, string]> {
  const rows: Array<[string, string]> = [['HA Cluster', String(leader.leader_cluster_address ?? '')]];
  if (leader.is_self === true) {
    rows.push(['HA Mode', 'active']);
    if (leader.active_time && leader.active_time !== '0001-01-01T00:00:00Z') rows.push(['Active Since', String(leader.active_time)]);
  } else {
    rows.push(['HA Mode', 'standby'], ['Active Node Address', String(leader.leader_address || '<none>')]);
  }
  return rows;
}

/** Prints a seal status in the chosen format; `leader` is a sys/leader body when HA is on. */
export function printSealStatus(format: Format, status: Json, leader?: Json): void {
  const haEnabled = leader?.ha_enabled === true;
  if (format === 'json') {
    const ha = haEnabled && leader ? {
      leader_address: leader.leader_address, leader_cluster_address: leader.leader_cluster_address,
      is_self: leader.is_self, active_time: leader.active_time,
    } : {};
    printJson({ ...status, ha_enabled: haEnabled, ...ha });
  } else out(`${kvTable(sealStatusPairs(status, haEnabled, leader))}\n`);
}

/** The sys/leader body, when the server answers it. */
async function leaderStatus(client: Client): Promise<Json | undefined> {
  try {
    const r = await client.request('GET', 'sys/leader', { accept: [400, 403, 404, 405, 500, 503], wrap: false });
    return r.status === 200 ? asObject(r.body) : undefined;
  } catch {
    return undefined;
  }
}

/** `lockbox status`. */
export async function statusCommand(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const client = ctx.client();
  let status: Json;
  try {
    status = (await client.request('GET', 'sys/seal-status', { wrap: false })).body ?? {};
  } catch (e) {
    if (!(e instanceof ApiError || e instanceof ConnectionError)) throw e;
    // Vault: status reports a failure to ask with 1, keeping 2 to mean "sealed".
    err(`Error checking seal status: ${e.message}\n`);
    return 1;
  }
  printSealStatus(ctx.format, status, status.sealed ? undefined : await leaderStatus(client));
  return status.sealed === false ? 0 : 2;
}

/** `lockbox status`, declared. */
export const status: Subcommand = {
  synopsis: '[options]', summary: 'Print seal and HA status', run: statusCommand,
  description: 'Prints whether the server is initialised and sealed. The exit code says it too: 0 unsealed, 2 sealed, '
    + '1 when the server could not be asked.',
  examples: ['status'],
  flags: apiFlags(),
};
