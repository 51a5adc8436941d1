// Builds the web UI into dist/ui/: one bundled, minified script and one stylesheet with
// content-hashed names, and index.html pointing at them. Type-checking is `tsc -p ui`.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.tsx'), style: join(here, 'src', 'style.css') },
  bundle: true, minify: true, format: 'esm', target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact',
  entryNames: '[name]-[hash]', outdir: join(out, 'assets'), metafile: true, legalComments: 'none', logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const named = (ext) => outputs.map(([path]) => path).find((path) => path.endsWith(ext));
const asset = (path) => `assets/${path.split('/').pop()}`;
const html = readFileSync(join(here, 'index.html'), 'utf8')
  .replace('%APP_JS%', asset(named('.js')))
  .replace('%APP_CSS%', asset(named('.css')));
writeFileSync(join(out, 'index.html'), html);
