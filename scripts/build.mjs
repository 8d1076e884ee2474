// Builds dist/: ESM entries for Node (public API, Vitest plugin, the core's child process and its
// watchdog thread, each adapter's child half, Vitest's runners) with shared chunks, a CommonJS build of the public API for Jest (which
// cannot require ESM-only serialize-error, so it is bundled in), the CommonJS Jest environment, and the
// type declarations; and the native addon's prebuild (scripts/build-native.mjs, only when its C changed).
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { buildNative } from './build-native.mjs'

buildNative()
rmSync('dist', { recursive: true, force: true })
const external = ['vitest', 'vitest/*', '@vitest/*', 'vite', 'jest-*', '@jest/*']
// `inject`: our code's `process` and timers are the ones bound at load, never a test's stub or fake (src/core/own-globals.ts).
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', external, inject: ['src/core/own-globals.ts'] }

await build({
  ...common,
  format: 'esm',
  splitting: true,
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  entryPoints: {
    index: 'src/index.ts',
    vitest: 'src/vitest.ts',
    // The core's child process: its entry and its watchdog thread.
    'child-entry': 'src/core/child/entry.ts',
    'watchdog-thread': 'src/core/child/watchdog-thread.ts',
    // Each adapter's child half, imported by the child entry from the URL in the request.
    'vitest-child': 'src/adapters/vitest/child/index.ts',
    'jest-child': 'src/adapters/jest/child/index.ts',
    // The runners Vitest loads by path: in the test worker (plugin) and in the child.
    'vitest-runner': 'src/adapters/vitest/parent/runner.ts',
    'vitest-child-runner': 'src/adapters/vitest/child/runner.ts',
    // The native layer (addon loader, forked-child fix-ups, zygote protocol); internal, not exported.
    native: 'src/core/native/index.ts',
    'fork-self-test': 'src/core/native/self-test-main.ts',
    // The CLI's file-ordering sequencer for Vitest runs across files, imported by the config it writes.
    'vitest-sequencer': 'src/cli/runners/vitest-sequencer.ts',
  },
  external: [...external, 'serialize-error'],
})
await build({
  ...common,
  format: 'cjs',
  outfile: 'dist/index.cjs',
  entryPoints: ['src/index.ts'],
  define: { 'import.meta.url': '__isolated_import_meta_url' },
  banner: { js: "const __isolated_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
})
// The Jest environment (`isolated-test/jest`): Jest requires environments as CommonJS.
await build({
  ...common,
  format: 'cjs',
  outfile: 'dist/jest.cjs',
  entryPoints: ['src/jest.ts'],
  define: { 'import.meta.url': '__isolated_import_meta_url' },
  banner: { js: "const __isolated_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
})
// The CLI's file-ordering sequencer for Jest runs across files (`--testSequencer <path>`): CommonJS.
await build({
  ...common,
  format: 'cjs',
  outfile: 'dist/jest-sequencer.cjs',
  entryPoints: ['src/cli/runners/jest-sequencer.ts'],
  define: { 'import.meta.url': '__isolated_import_meta_url' },
  banner: { js: "const __isolated_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
})
// The package's bin (`npx isolated-test polluter|compare`): one self-contained ESM file, run by Node.
await build({
  ...common,
  format: 'esm',
  outfile: 'dist/cli.js',
  entryPoints: ['src/cli/main.ts'],
  banner: { js: '#!/usr/bin/env node' },
  external: [...external, 'serialize-error'],
})
execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly'], { stdio: 'inherit' })
