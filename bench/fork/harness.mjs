// Worker-side helpers shared by the bench (measure.mjs) and the e2e tests: start the harness zygote
// on a given Node, fork a scenario, read the child's messages and output.
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { Zygote } from '../../dist/native.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
export const zygoteScript = fileURLToPath(new URL('./zygote.mjs', import.meta.url))

/** The node binary of a major: 20 is the machine's default, 22/24/26 come from fixtures/nodes. */
export function nodeFor(major) {
  if (major === 'default' || major === undefined) return process.execPath
  const bin = join(repo, 'fixtures', 'nodes', 'node_modules', `node${major}`, 'bin', 'node')
  if (major !== 20 && existsSync(bin)) return bin
  return major === 20 ? '/usr/bin/node' : bin
}

export const FLAG_SETS = {
  'single-threaded': ['--single-threaded'],
  'single-threaded+no-maglev': ['--single-threaded', '--no-maglev'],
  // The research note's alternative: only the GC and the optimizing compilers made synchronous.
  alternative: ['--single-threaded-gc', '--no-concurrent-recompilation', '--no-concurrent-sparkplug', '--no-concurrent-maglev-high-priority-threads'],
  // Wasm compiled by TurboFan at once: --single-threaded leaves no thread for Liftoff's tier-up.
  'single-threaded+no-liftoff': ['--single-threaded', '--no-liftoff'],
  'single-threaded+no-maglev+no-liftoff': ['--single-threaded', '--no-maglev', '--no-liftoff'],
}

/**
 * Starts the harness zygote. graph: 'none' | 'vitest'; zygoteArgs: e.g. ['--no-gc', '--use-random'].
 * @param {{ node?: string, flags?: readonly string[], graph?: string, zygoteArgs?: readonly string[], mainPid?: number, onStrays?: (pids: number[]) => void, stdio?: unknown, env?: NodeJS.ProcessEnv }} [options]
 */
export function startZygote({ node = process.execPath, flags = FLAG_SETS['single-threaded'], graph = 'none', zygoteArgs = [], mainPid, onStrays, stdio, env } = {}) {
  return Zygote.start({ node, execArgv: flags, script: zygoteScript, args: [graph, ...zygoteArgs], cwd: repo, mainPid, onStrays, stdio, env })
}

/** Forks a scenario; returns the child handle plus message and output readers. */
export async function forkScenario(zygote, scenario, args = {}) {
  const child = await zygote.fork(JSON.stringify({ scenario, ...args }))
  const messages = messageQueue(child.channel)
  const stdout = collect(child.stdout)
  const stderr = collect(child.stderr)
  return { child, next: messages.next, send: (m) => child.channel.write(JSON.stringify(m) + '\n'), stdout, stderr }
}

function messageQueue(socket) {
  const queue = []
  const waiters = []
  const rl = createInterface({ input: socket })
  rl.on('line', (line) => {
    const m = JSON.parse(line)
    const w = waiters.shift()
    if (w) w.resolve(m)
    else queue.push(m)
  })
  rl.on('close', () => {
    for (const w of waiters.splice(0)) w.reject(new Error('the child closed its channel'))
  })
  socket.on('error', () => {})
  socket.resume()
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve, reject) => waiters.push({ resolve, reject }))),
  }
}

function collect(socket) {
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (d) => (text += d))
  socket.on('error', () => {})
  socket.resume()
  return new Promise((resolve) => socket.on('close', () => resolve(text)))
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
