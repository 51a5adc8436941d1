// The file templates' output: each pass's texts are written where they changed (write.ts),
// then the changed templates' commands run, in config order, once each.
import type { Template } from '../config/types.js';
import type { Logger } from '../log.js';
import { runCommand } from './command.js';
import type { Compiled, Rendered, RenderOutput } from './runner.js';
import { removeStaleTemps, writeIfChanged } from './write.js';

export class FileOutput implements RenderOutput<Template> {
  readonly #templates: Compiled[];
  readonly #log: Logger;

  constructor(templates: Compiled[], log: Logger) {
    this.#templates = templates;
    this.#log = log.named('template.server');
  }

  /** Removes temp files a crash left beside the destinations. */
  async removeStaleTemps(): Promise<void> {
    for (const t of this.#templates) await removeStaleTemps(t.spec.destination);
  }

  async deliver(rendered: Rendered<Template>[]): Promise<boolean> {
    let ok = true;
    const changed: Compiled[] = [];
    for (const { t, text } of rendered) {
      try {
        if (await writeIfChanged(t.spec.destination, text, { perms: t.spec.perms, backup: t.spec.backup, createDestDirs: t.spec.createDestDirs })) {
          this.#log.info('rendered template', { destination: t.spec.destination });
          changed.push(t);
        }
      } catch (err) {
        ok = false;
        this.#log.error(`${t.name}: write: ${(err as Error).message}`, { destination: t.spec.destination });
      }
    }
    for (const t of changed) {
      for (const c of t.spec.commands) {
        const r = await runCommand(c, t.spec.commandTimeoutMs);
        if (!r.ok) {
          this.#log.error('template command failed', { destination: t.spec.destination, error: r.detail });
          ok = false;
        }
      }
    }
    return ok;
  }
}
