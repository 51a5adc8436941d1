// `lockbox aws env ROLE`: a new access key of a sigv4 role, printed as the environment AWS's
// SDKs and CLI read, so `eval "$(lockbox aws env app)"` points them at this server.
import { expectArgs, type Context, type Group } from './command.js';
import { apiFlags, str } from './flags.js';
import { out } from './output.js';

/** Quotes a value for a POSIX shell. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

async function env(ctx: Context): Promise<number> {
  const [role] = expectArgs(ctx.args, 1);
  const mount = (ctx.args.flag('mount') || 'sigv4').replace(/\/+$/, '');
  const region = ctx.args.flag('region') || 'us-east-1';
  const client = ctx.client();
  const made = (await client.request('POST', `auth/${mount}/role/${role}/keys`, { body: {} })).body as { data?: Record<string, unknown> } | undefined;
  const data = made?.data ?? {};
  const lines = [
    ['AWS_ACCESS_KEY_ID', String(data.access_key_id ?? '')],
    ['AWS_SECRET_ACCESS_KEY', String(data.secret_access_key ?? '')],
    ['AWS_REGION', region],
    // boto3 reads the region from here, not from AWS_REGION.
    ['AWS_DEFAULT_REGION', region],
    ['AWS_ENDPOINT_URL_SECRETS_MANAGER', client.address],
  ];
  out(lines.map(([k, v]) => `export ${k}=${shellQuote(v!)}\n`).join(''));
  return 0;
}

/** `lockbox aws`. */
export const awsCommand: Group = {
  summary: 'Use AWS Secrets Manager clients with Lockbox',
  description: 'Prints credentials for the AWS Secrets Manager-compatible API served at the server\'s root.',
  subcommands: {
    env: {
      synopsis: 'ROLE [options]', summary: 'Print AWS environment variables for a new key of a sigv4 role', run: env,
      description: 'Creates an access key for ROLE (auth/sigv4/role/ROLE/keys) and prints AWS_ACCESS_KEY_ID, '
        + 'AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER as shell exports. The secret is '
        + 'shown only this once.',
      examples: ['aws env app', 'eval "$(lockbox aws env app)"'],
      flags: apiFlags([str('mount', 'Where the sigv4 auth method is mounted.', { default: 'sigv4' }), str('region', 'The region of the aws-sm mount.', { default: 'us-east-1' })], 'none'),
    },
  },
};
