// Import rules for src/. Run by `npm test` (npm run deps); a violation fails the suite.
// Layers import downward only, so a reader can follow a request from http/ to storage/
// without meeting a module that also knows about the layers above it.
// Order, lowest first: util → storage → barrier → policy → core → engines / auth / audit /
// http → sys → server → cli (agent and ui are clients and sit beside cli).
const layer = (name, mayImport) => ({
  name: `layer-${name}`,
  comment: `${name}/ may import only ${mayImport.join(', ') || 'nothing in src/'} (layers import downward).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...mayImport.map((d) => `^src/${d}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle means two modules cannot be read, tested or replaced one at a time.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer('util', []),
    layer('storage', ['util']),
    layer('barrier', ['util', 'storage']),
    layer('policy', ['util']),
    layer('core', ['util', 'storage', 'barrier', 'policy']),
    // Engines and auth methods see core's framework only, never each other.
    { ...layer('engines', ['util', 'storage', 'core']),
      comment: 'An engine is a folder of its own: it may use core\'s framework and leaf utilities, never another layer.' },
    {
      name: 'engines-apart',
      comment: 'One engine never reaches into another; shared code belongs in core or util.',
      severity: 'error',
      from: { path: '^src/engines/([^/]+)/' },
      to: { path: '^src/engines/([^/]+)/', pathNot: ['^src/engines/$1/'] },
    },
    layer('auth', ['util', 'storage', 'core']),
    layer('audit', ['util', 'storage', 'core']),
    layer('http', ['util', 'core']),
    layer('sys', ['util', 'storage', 'barrier', 'policy', 'core', 'audit', 'engines', 'auth']),
    layer('server', ['util', 'storage', 'barrier', 'policy', 'core', 'audit', 'engines', 'auth', 'http', 'sys']),
    // The CLI is the top: it may use anything below it ...
    layer('cli', ['util', 'storage', 'barrier', 'policy', 'core', 'audit', 'engines', 'auth', 'http', 'sys', 'server', 'agent']),
    // The agent is a client of the API like the CLI: leaf utilities and the CLI's HTTP helpers,
    // never the core or an engine.
    layer('agent', ['util', 'cli']),
    // ... but its commands are clients: only `lockbox server` (and the entry point, for the
    // version) run the server in-process; every other command talks HTTP, as users' tools do.
    {
      name: 'cli-over-http',
      comment: 'CLI commands reach the server over HTTP only; only cli/server.ts starts one in-process.',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/(server|main)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(cli|util|agent)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|bench)/' },
  },
};
