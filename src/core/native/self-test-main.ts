// `node --single-threaded dist/fork-self-test.js`: prints the self-test's verdict as one JSON line.
import { loadAddon } from './addon.js'
import { forkSelfTest } from './self-test.js'

const { addon, reason } = loadAddon()
const result = addon ? await forkSelfTest(addon) : { ok: false, reason, ms: 0 }
process.stdout.write(JSON.stringify({ ...result, node: process.version }) + '\n')
