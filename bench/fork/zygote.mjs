// The harness's zygote: `node --single-threaded [flags] zygote.mjs <graph> [--gc=none|major|last-resort]`, spawned by
// Zygote.start() (dist/native.js). It loads a module graph, becomes quiescent, and serves forks. Each
// forked child reads its scenario from the request payload (JSON) and talks to the worker over its own
// channel in JSON lines (see scenarios.mjs).
import { loadAddon, readZygoteConfig, serveForks } from '../../dist/native.js'

const graph = process.argv[2] ?? 'none'
// --gc=none|major|last-resort (default none); --no-warm
const gcArg = process.argv.find((a) => a.startsWith('--gc='))?.slice(5) ?? 'none'
const gc = gcArg === 'none' ? false : gcArg
const { addon, reason } = loadAddon()
if (!addon) throw new Error(reason)

if (graph === 'vitest') {
  // What a Vitest worker has loaded when it runs a test file: about 100 MB RSS.
  await import('vitest/node')
  await import('@vitest/runner')
  await import('@vitest/expect')
  await import('vitest')
}

if (process.argv.includes('--use-random')) {
  // Module top level drawing random values, as libraries do at import.
  globalThis.zygoteDraws = [Math.random(), (await import('node:crypto')).randomUUID()]
}
const scenarios = await import('./scenarios.mjs')

// Quiescent: let start-up work finish (a timer turn, then the pending microtasks) before serving.
await new Promise((resolve) => setTimeout(resolve, 20))

// V8's own generator, kept to show what children would draw without the fix-up.
globalThis.v8MathRandom = Math.random
const config = readZygoteConfig()
const { request, channel } = serveForks(addon, config, {
  compactHeap: gc,
  warm: !process.argv.includes('--no-warm'),
  resetUuidCache: !process.argv.includes('--no-uuid-reset'),
  deathSignal: addon.treeDeathSignal,
  childWatchThread: process.argv.includes('--child-thread'),
  onPrepared: ({ uuidCache }) => {
    if (uuidCache.state !== 'ok') process.stderr.write(`zygote: randomUUID cache not reset: ${uuidCache.reason}\n`)
  },
})
// Only forked children get here. 'bare' measures the floor: fork, set-up, connect-back, fix-ups, exit.
if (request.payload.toString() === 'bare') addon.exitNow(0)
scenarios.run(addon, request, channel)
