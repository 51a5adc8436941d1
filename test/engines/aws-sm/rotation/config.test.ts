// The server config's aws_sm_rotation_webhook_hosts: a list of host names (with optional
// ports) that `lockbox:webhook:` rotations may call; anything else is refused at load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../../src/server/config.js';
import { webhookUrl } from '../../../../src/engines/aws-sm/rotation/webhook.js';

const BASE = 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = 1\n}\n';

test('aws_sm_rotation_webhook_hosts is read as a list, absent by default', () => {
  assert.deepEqual(parseConfig(`${BASE}aws_sm_rotation_webhook_hosts = ["rotate.internal", "127.0.0.1:9000"]`).awsSmWebhookHosts, ['rotate.internal', '127.0.0.1:9000']);
  assert.equal(parseConfig(BASE).awsSmWebhookHosts, undefined);
  assert.deepEqual(parseConfig(BASE).warnings, []);
  assert.throws(() => parseConfig(`${BASE}aws_sm_rotation_webhook_hosts = "rotate.internal"`), /must be a list of host names/);
});

test('a webhook URL must be http(s), without credentials, on a listed host (name, or name and port)', () => {
  assert.equal(webhookUrl('https://rotate.internal/fn', ['rotate.internal']).host, 'rotate.internal');
  assert.equal(webhookUrl('http://127.0.0.1:9000/fn', ['127.0.0.1:9000']).port, '9000');
  assert.equal(webhookUrl('http://rotate.internal:8443/fn', ['rotate.internal']).port, '8443');
  assert.throws(() => webhookUrl('http://127.0.0.1:9001/fn', ['127.0.0.1:9000']), /not allowed/);
  assert.throws(() => webhookUrl('http://user:pw@rotate.internal/fn', ['rotate.internal']), /must not hold credentials/);
  assert.throws(() => webhookUrl('file:///etc/passwd', ['rotate.internal']), /http or https/);
  assert.throws(() => webhookUrl('not a url', ['rotate.internal']), /is not a URL/);
});
