// node-vault as an application uses it: one client per token, `apiVersion: 'v1'`, the
// server's URL as `endpoint`. node-vault resolves with the parsed JSON body of a 200 or 204
// (undefined for a 204) and rejects anything else with an ApiResponseError whose message is
// `errors[0]` of Vault's error body and whose `response` holds the status and body.
import nodeVault from 'node-vault';
import assert from 'node:assert/strict';

/** A node-vault client pointed at a test server. */
export function vaultClient(url: string, token?: string) {
  return nodeVault({ apiVersion: 'v1', endpoint: url, token });
}

/** A node-vault client, as its own type declarations describe it. */
export type VaultClient = ReturnType<typeof vaultClient>;

/** What node-vault's ApiResponseError carries. */
export type ApiError = Error & { response: { statusCode: number; body: any } };

/** Awaits a call that must fail and returns node-vault's error. */
export async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof Error, `node-vault rejected with a non-Error: ${String(err)}`);
    assert.ok('response' in err, `not an ApiResponseError: ${err.message}`);
    return err as ApiError;
  }
  assert.fail('the call succeeded but was expected to fail');
}
