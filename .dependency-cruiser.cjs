// @ts-check
/**
 * The layer rules of the tree, checked by dependency-cruiser in `npm test`
 * (`npm run check:layers`). docs/architecture.md explains the layers; change
 * both together.
 *
 * What dependency-cruiser sees is imports (static, dynamic and type-only).
 * It cannot see calls: "library folders never write to stdout" is an eslint
 * rule in eslint.config.js.
 *
 * A violation listed in .dependency-cruiser-known-violations.json (made with
 * `npm run check:layers:baseline`) does not fail the check, which only counts
 * it ("N known violations ignored"; `--no-ignore-known` lists them). That file
 * lists work still open (docs/architecture.md names it), not a way to switch a
 * rule off: rewrite it only to remove entries, or with the reason in the commit.
 */
/**
 * The folder-cycle rule, less the two edges of each pair of folders in
 * `knownCycles` (see the comment where it is used).
 * @param {ReadonlyArray<readonly [string, string]>} knownCycles
 * @returns {import('dependency-cruiser').IForbiddenRuleType[]}
 */
function folderCycleRules(knownCycles) {
  const esc = (/** @type {string} */ folder) => folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exempt = new Map();
  for (const [a, b] of knownCycles) {
    exempt.set(a, [...(exempt.get(a) ?? []), b]);
    exempt.set(b, [...(exempt.get(b) ?? []), a]);
  }
  const folders = [...exempt.keys()];
  return [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'No cycle between folders: if a/ imports b/, nothing in b/ imports a/ (a shared type moves to the lower folder).',
      scope: 'folder',
      from: folders.length > 0 ? { pathNot: `^(${folders.map(esc).join('|')})$` } : {},
      to: { circular: true },
    },
    ...folders.map((folder) => ({
      name: 'no-folder-cycles',
      comment: 'No cycle between folders (less the edges of a cycle being removed, listed in .dependency-cruiser.cjs).',
      severity: /** @type {const} */ ('error'),
      scope: /** @type {const} */ ('folder'),
      from: { path: `^${esc(folder)}$` },
      to: { circular: true, pathNot: `^(${exempt.get(folder).map(esc).join('|')})$` },
    })),
  ];
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle between files (type-only imports count too: a cycle of types is a cycle of concepts).',
      from: {},
      to: { circular: true },
    },
    // No cycle between folders: if a/ imports b/, nothing in b/ imports a/ (a
    // shared type moves to the lower folder). A folder contains its sub-folders,
    // so files directly in src/ are checked by src-root-is-the-top below.
    //
    // dependency-cruiser cannot list folder-level violations in the known
    // violations file, so a folder cycle still being removed is written here:
    // the two folder edges of that cycle are left out of this rule, and the
    // module rule that forbids the wrong direction (below) lists the imports
    // that remain in .dependency-cruiser-known-violations.json. Every other
    // cycle, also one through these folders and a third, still fails.
    ...folderCycleRules([]),
    {
      name: 'src-root-is-the-top',
      severity: 'error',
      comment: 'The file directly in src/ is the public API (index.ts): what the package exports; nothing in src/ imports it.',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.(ts|js)$' },
    },
    {
      name: 'system-only-from-cli',
      severity: 'error',
      comment:
        'src/system/ is the composition root of `supervisor run` (runSystem, the plugin contract and the plugins that wire ' +
        'the API, the file view, the network and metrics): it imports the library folders, and only src/cli/ imports it.',
      from: { path: '^src/', pathNot: '^src/(cli|system)/' },
      to: { path: '^src/system/' },
    },
    {
      name: 'units-only-through-sdk-and-wire',
      severity: 'error',
      comment:
        'A built-in unit is written like any unit outside this repository: it uses Ensemble only through the SDK (src/sdk) ' +
        'and the wire layer (src/wire), never the supervisor\'s internals.',
      from: { path: '^(units|ensembles)/' },
      to: { path: '^src/', pathNot: '^src/(sdk|wire)/' },
    },
    {
      name: 'common-is-a-leaf',
      severity: 'error',
      comment: 'src/common/ (errors, values, shell words, executable lookup, user database, version) is used by every folder and imports none of them.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'wire-only-to-common',
      severity: 'error',
      comment: 'src/wire/ (protos, typed clients, server bind/stop, status tables) sits right above src/common/: the API, the SDK and the units build on it.',
      from: { path: '^src/wire/' },
      to: { path: '^src/', pathNot: '^src/(wire|common)/' },
    },
    {
      name: 'sdk-only-through-wire-and-common',
      severity: 'error',
      comment:
        'The SDK (what a unit imports) stands on src/wire and src/common only, never on the supervisor\'s servers (src/api) ' +
        'or internals: otherwise units-only-through-sdk-and-wire would hold in name only.',
      from: { path: '^src/sdk/' },
      to: { path: '^src/', pathNot: '^src/(sdk|wire|common)/' },
    },
    {
      name: 'ensemble-not-to-supervisor',
      severity: 'error',
      comment:
        'The compiler produces the Plan; the supervisor consumes it. src/ensemble never imports the runtime ' +
        '(what both need, such as runtime paths or user look-up, lives in src/common).',
      from: { path: '^src/ensemble/' },
      to: { path: '^src/supervisor/' },
    },
    {
      name: 'supervisor-not-to-health',
      severity: 'error',
      comment:
        'health/ implements what the supervisor drives (probes, sampling, limits) and reads its unit states; ' +
        'the supervisor gets those implementations from the composition root through src/supervisor/health-services.ts ' +
        'and never imports src/health (the layering supervisor <- health).',
      from: { path: '^src/supervisor/' },
      to: { path: '^src/health/' },
    },
    {
      name: 'only-cli-imports-commander',
      severity: 'error',
      comment: 'Command-line parsing belongs to src/cli/; library folders take typed options.',
      from: { pathNot: '^src/cli/' },
      to: { path: '(^|/)node_modules/commander/' },
    },
    {
      name: 'library-not-to-cli',
      severity: 'error',
      comment: 'src/cli/ is the top: nothing else in src/ or units/ imports it.',
      from: { path: '^(src|units)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'src-not-to-test-or-bench',
      severity: 'error',
      comment: 'Shipped code never imports the tests, their fixtures or the benchmarks.',
      from: { path: '^(src|units|ensembles)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'src-not-to-units',
      severity: 'error',
      comment: 'The supervisor starts built-in units as programs (by path), it does not import them.',
      from: { path: '^src/' },
      to: { path: '^units/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-undeclared-package',
      severity: 'error',
      comment: 'Every npm package that shipped code imports is in package.json.',
      from: { path: '^(src|units|ensembles)/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dependency',
      severity: 'error',
      comment:
        'Shipped code (src/, units/) must not need a devDependency at run time (type-only imports are fine). ' +
        'Not run time: units/wasm-host/build-wat.ts (the build step of npm run build, with wabt). ' +
        'Optional: pino-pretty, which createLogger imports for --log-format pretty and does without (JSON, with a warning).',
      from: { path: '^(src|units|ensembles)/', pathNot: '^units/wasm-host/build-wat\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(^|/)node_modules/pino-pretty/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stay in the graph as leaves (doNotFollow): the package rules need them.
    exclude: { path: '^dist/' },
    // Type-only imports are dependencies too (they are removed from the
    // JavaScript, not from the design).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // NodeNext: `./x.js` in a .ts file is `./x.ts`.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
