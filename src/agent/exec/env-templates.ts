// env_template: each block renders one environment variable through the template runner (the
// same fetching, caching and refetch schedule as file templates). The set is handed on only
// once every variable has rendered, and again only when a value differs from the last set
// handed on, as Vault compares the sorted NAME=value list before restarting the child.
import type { EnvTemplate } from '../config/types.js';
import { compileTemplate, type Compiled, type Rendered, type RenderOutput } from '../template/runner.js';

/** Parses every env_template (a mistake stops the agent before login, naming the variable). */
export function compileEnvTemplates(templates: EnvTemplate[]): Compiled<EnvTemplate>[] {
  return templates.map((spec) => compileTemplate(spec, spec.source ?? `env_template[${spec.name}]`));
}

export class EnvOutput implements RenderOutput<EnvTemplate> {
  readonly #names: string[];
  readonly #values = new Map<string, string>();
  readonly #onChange: (vars: Record<string, string>) => void;
  #last: string | undefined;

  constructor(templates: Compiled<EnvTemplate>[], onChange: (vars: Record<string, string>) => void) {
    this.#names = templates.map((t) => t.spec.name);
    this.#onChange = onChange;
  }

  async deliver(rendered: Rendered<EnvTemplate>[]): Promise<boolean> {
    for (const { t, text } of rendered) this.#values.set(t.spec.name, text);
    if (this.#names.some((n) => !this.#values.has(n))) return true;
    const vars = Object.fromEntries([...this.#values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = JSON.stringify(vars);
    if (key === this.#last) return true;
    this.#last = key;
    this.#onChange(vars);
    return true;
  }
}
