// The layout rules `npm test` checks (`npm run check:layout`): the core knows no framework, the
// adapters do not know each other, each side of the process boundary keeps to itself, and nothing
// imports in a circle. See ARCHITECTURE.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports count: they tie the modules together just the same).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-knows-no-adapter',
      severity: 'error',
      comment: 'src/core is framework-neutral: adapters plug in through core/adapter.ts, never by import.',
      from: { path: '^src/core/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'core-knows-no-framework',
      severity: 'error',
      comment: 'src/core imports no test framework package.',
      from: { path: '^src/core/' },
      to: { path: '(^|/)node_modules/(vitest|vite|@vitest/[^/]+|jest|jest-[^/]+|@jest/[^/]+|babel-jest|ts-jest)/' },
    },
    {
      name: 'core-knows-no-framework-by-name',
      severity: 'error',
      comment: 'Also when the package is not installed (an unresolvable import).',
      from: { path: '^src/core/' },
      to: { couldNotResolve: true, path: '^(vitest|vite|@vitest/|jest|jest-|@jest/)' },
    },
    {
      name: 'adapters-are-separate',
      severity: 'error',
      comment: 'One adapter never imports another: what they share belongs in the core.',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'child-side-stays-in-child',
      severity: 'error',
      comment: 'Code that runs in the child process does not import the parent side (and the reverse): the process boundary is a folder boundary.',
      from: { path: '^src/(core|adapters/[^/]+)/child/' },
      to: { path: '^src/(core|adapters/[^/]+)/parent/' },
    },
    {
      name: 'parent-side-stays-in-parent',
      severity: 'error',
      comment: 'The parent side only talks to the child through the IPC contract (core/ipc).',
      from: { path: '^src/(core|adapters/[^/]+)/parent/' },
      to: { path: '^src/(core|adapters/[^/]+)/child/' },
    },
    {
      name: 'library-knows-no-cli',
      severity: 'error',
      comment: 'The CLI (src/cli, the package bin) uses the core; the library (core, adapters) never imports the CLI.',
      from: { path: '^src/(core|adapters)/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
