// `lockbox -autocomplete-install` / `-autocomplete-uninstall`, as Vault's: a line in the user's
// shell start-up files makes the shell ask `lockbox` itself for completions (COMP_LINE), so
// the candidates always match the declared commands and flags of the installed version.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The lines each shell needs; zsh reads bash's `complete` through bashcompinit. */
function shellLines(bin: string): Record<string, string[]> {
  return {
    '.bashrc': [`complete -C ${bin} lockbox`],
    '.zshrc': ['autoload -U +X bashcompinit && bashcompinit', `complete -o nospace -C ${bin} lockbox`],
  };
}

/** The program the shell should run: this CLI's own entry point. */
function binPath(): string {
  return resolve(process.argv[1] ?? 'lockbox');
}

/** Adds (or removes) the completion lines in ~/.bashrc and ~/.zshrc, where those files exist. */
export function installCompletion(mode: 'install' | 'uninstall', env: NodeJS.ProcessEnv = process.env): number {
  const home = env.HOME || homedir();
  const bin = binPath();
  let touched = 0;
  for (const [file, lines] of Object.entries(shellLines(bin))) {
    const path = join(home, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const marker = `complete -o nospace -C ${bin} lockbox`;
    const has = text.includes(`-C ${bin} lockbox`) || text.includes(marker);
    if (mode === 'install') {
      if (has) {
        process.stderr.write(`Error executing CLI: already installed in ${path}\n`);
        return 1;
      }
      writeFileSync(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}\n${lines.join('\n')}\n`);
    } else {
      if (!has) continue;
      const kept = text.split('\n').filter((l) => !lines.includes(l));
      writeFileSync(path, kept.join('\n'));
    }
    touched++;
  }
  if (touched === 0) {
    process.stderr.write(mode === 'install'
      ? 'Error executing CLI: Did not find any shells to install\n'
      : 'Error executing CLI: Did not find any shells to uninstall\n');
    return 1;
  }
  return 0;
}
