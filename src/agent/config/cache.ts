// The cache and api_proxy blocks: which requests carry the auto-auth token (use_auto_auth_token).
import type { Body } from './body.js';
import type { ApiProxy, Cache } from './types.js';

function useAutoAuthToken(body: Body): { set: boolean; use: boolean; force: boolean } {
  if (!body.has('use_auto_auth_token')) {
    body.value('use_auto_auth_token');
    return { set: false, use: false, force: false };
  }
  const v = body.value('use_auto_auth_token');
  const raw = v?.kind === 'literal' ? v.value : undefined;
  const b = (() => {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string') return raw === '' ? false : ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw) ? true : ['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw) ? false : undefined;
    if (typeof raw === 'number') return raw !== 0;
    return undefined;
  })();
  if (b !== undefined) return { set: true, use: b, force: false };
  if (typeof raw === 'string' && raw.toLowerCase() === 'force') return { set: true, use: true, force: true };
  return body.fail('use_auto_auth_token', `value of 'use_auto_auth_token' can be either true/false/force, ${JSON.stringify(String(raw))} is an invalid option`);
}

export function parseApiProxy(body: Body): ApiProxy {
  const u = useAutoAuthToken(body);
  for (const k of ['enforce_consistency', 'when_inconsistent']) if (body.has(k)) body.fail(k, `'${k}' is not supported by lockbox agent`);
  body.finish();
  return { useAutoAuthToken: u.use, forceAutoAuthToken: u.force, useAutoAuthTokenSet: u.set };
}

export function parseCache(body: Body): Cache {
  const u = useAutoAuthToken(body);
  for (const k of ['persist', 'enforce_consistency', 'when_inconsistent']) if (body.has(k)) body.fail(k, `'${k}' is not supported by lockbox agent`);
  body.finish();
  return { useAutoAuthTokenSet: u.set, useAutoAuthToken: u.use, forceAutoAuthToken: u.force };
}
