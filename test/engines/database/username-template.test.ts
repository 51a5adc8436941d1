// Username templates: Vault's defaults per plugin and the functions custom templates use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderUsername } from '../../../src/engines/database/username-template.js';
import { driverFor } from '../../../src/util/sql/index.js';

const input = { DisplayName: 'token-with-a-long-name', RoleName: 'readonly-role', now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) };
const unix = String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);

test('the PostgreSQL default: v-<display 8>-<role 8>-<random 20>-<unix>, at most 63', () => {
  const name = renderUsername(driverFor('postgresql-database-plugin')!.defaultUsernameTemplate, input);
  assert.match(name, new RegExp(`^v-token-wi-readonly-[A-Za-z0-9]{20}-${unix}$`));
});

test('the MySQL default truncates to 32 and the legacy one to 16', () => {
  const mysql = renderUsername(driverFor('mysql-database-plugin')!.defaultUsernameTemplate, input);
  assert.equal(mysql.length, 32);
  assert.ok(mysql.startsWith('v-token-with-readonly-r-'));
  const legacy = renderUsername(driverFor('mysql-legacy-database-plugin')!.defaultUsernameTemplate, input);
  assert.equal(legacy.length, 16);
  assert.ok(legacy.startsWith('v-read-'));
  assert.equal(driverFor('mysql-rds-database-plugin'), driverFor('mysql-aurora-database-plugin'));
});

test('custom templates: fields, pipes, nested calls and Vault\'s functions', () => {
  assert.equal(renderUsername('{{.RoleName | uppercase | replace "-" "_"}}', input), 'READONLY_ROLE');
  assert.equal(renderUsername('app-{{ timestamp "2006.01.02" }}-{{unix_time_millis}}', input), `app-2026.01.02-${unix}000`);
  assert.equal(renderUsername('{{ truncate 4 .DisplayName }}', input), 'toke');
  assert.match(renderUsername('{{ random 5 | lowercase }}', input), /^[a-z0-9]{5}$/);
  assert.match(renderUsername('{{ uuid }}', input), /^[0-9a-f-]{36}$/);
  assert.equal(renderUsername('{{ printf "%s/%d" .RoleName 7 }}', input), 'readonly-role/7');
  // Vault's truncate_sha256: n characters in all, the last 8 a hash of what was cut.
  const hashed = renderUsername('{{ .RoleName | truncate_sha256 10 }}', input);
  assert.equal(hashed, `re${createHash('sha256').update('adonly-role').digest('hex').slice(0, 8)}`);
  assert.equal(renderUsername('{{ .RoleName | truncate_sha256 20 }}', input), 'readonly-role');
});

test('timestamp takes Go layouts: zones, names, 12-hour clock, fractions, day of year', () => {
  const at = { ...input, now: new Date(Date.UTC(2026, 0, 2, 15, 4, 5, 120)) };
  const ts = (layout: string) => renderUsername(`{{ timestamp "${layout}" }}`, at);
  assert.equal(ts('2006-01-02T15:04:05Z07:00'), '2026-01-02T15:04:05Z');
  assert.equal(ts('Mon Jan _2 15:04:05 MST 2006'), 'Fri Jan  2 15:04:05 UTC 2026');
  assert.equal(ts('Monday, 2 January 06 3:04PM -0700'), 'Friday, 2 January 26 3:04PM +0000');
  assert.equal(ts('15.04.05.000|.999|.000000'), '15.04.05.120|.12|.120000');
  assert.equal(ts('002_2006'), '002_2026');
});

test('templates that cannot be evaluated are refused', () => {
  for (const bad of ['{{ nope }}', '{{ .Secret }}', '{{ (random 3 }}', '{{ "a" | "b" }}', '{{ truncate "x" .RoleName }}', '{{ truncate 0 .RoleName }}', '{{ truncate_sha256 8 .RoleName }}']) {
    assert.throws(() => renderUsername(bad, input), { name: 'BadRequest' }, bad);
  }
});
