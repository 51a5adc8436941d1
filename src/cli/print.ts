// `lockbox print token`: the token later commands would send (LOCKBOX_TOKEN, VAULT_TOKEN, then
// the token helper file), as `vault print token` prints it, for scripts that need it.
import { clientOptions } from './client.js';
import type { Group } from './command.js';
import { expectArgs } from './command.js';
import { out } from './output.js';

export const printCommand: Group = {
  summary: 'Prints runtime configurations',
  description: 'Prints values the CLI works out at run time, from its environment and the token helper file.',
  subcommands: {
    token: {
      synopsis: '', summary: 'Prints the token the CLI would use',
      description: 'Prints the token later commands send: LOCKBOX_TOKEN, then VAULT_TOKEN, then the token helper file '
        + '(~/.vault-token, or LOCKBOX_TOKEN_FILE). Prints nothing when there is none.',
      examples: ['print token'],
      flags: [],
      run: async (ctx) => {
        expectArgs(ctx.args, 0);
        const token = clientOptions(ctx.args).token;
        // Vault prints it with a newline, so `$(vault print token)` and a terminal both read it.
        if (token !== '') out(`${token}\n`);
        return 0;
      },
    },
  },
};
