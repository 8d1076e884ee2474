// Loaded with NODE_OPTIONS=--import only in the bench's profiling run, never in the timed runs. It
// writes timestamped marks (one JSON line each, synchronously, because children are SIGKILLed once
// they have answered) so run.mjs can split one isolated test into phases. It changes nothing in
// src/: it wraps Node's own child_process and process.send from the outside.
import { appendFileSync } from 'node:fs'
import childProcess from 'node:child_process'
import { syncBuiltinESMExports } from 'node:module'
import { performance } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const out = process.env.BENCH_PROBE_OUT
const now = () => performance.timeOrigin + performance.now()
const mark = (name, extra) => appendFileSync(out, `${JSON.stringify({ pid: process.pid, name, t: now(), ...extra })}\n`)
globalThis.__benchMark = mark

if (!isMainThread) {
  // --import runs in worker threads too (the child's watchdog): nothing to mark there.
} else if (process.env.ISOLATED_TEST_CHILD === '1') {
  // An isolated child: when the process began, when Node handed over to user code, and the messages
  // that delimit its phases (ours are tagged; untagged `t: 'q'` ones are Vitest's RPC calls).
  mark('origin', { t: performance.timeOrigin })
  mark('preload')
  const send = process.send.bind(process)
  const pending = new Map()
  process.send = (message, ...rest) => {
    if (message?.__isolated_test__) mark(message.kind === 'phase' ? `phase:${message.phase}` : message.kind)
    else if (message?.t === 'q') {
      mark('rpc', { method: message.m })
      if (message.i !== undefined) pending.set(message.i, now())
    }
    return send(message, ...rest)
  }
  process.on('message', (message) => {
    if (message?.__isolated_test__ && message.kind === 'run') mark('run')
    else if (message?.t === 's' && pending.has(message.i)) {
      mark('rpc-answer', { wait: now() - pending.get(message.i) })
      pending.delete(message.i)
    }
  })
} else {
  // A Vitest process: time each isolated child from spawn to exit, and every `ps` listing (the
  // tree kill reads one before and after signalling).
  const { spawn, execFileSync } = childProcess
  childProcess.spawn = function (file, args, ...rest) {
    const child = spawn.call(this, file, args, ...rest)
    if (args?.some((a) => String(a).endsWith('child-entry.js'))) {
      mark('spawn', { child: child.pid })
      child.on('message', (m) => m?.__isolated_test__ && m.kind === 'result' && mark('parent:result', { child: child.pid }))
      child.once('exit', () => mark('exit', { child: child.pid }))
    }
    return child
  }
  childProcess.execFileSync = function (file, ...rest) {
    const start = now()
    try {
      return execFileSync.call(this, file, ...rest)
    } finally {
      if (file === 'ps') mark('ps', { ms: now() - start })
    }
  }
  // Modules that `import { spawn } from 'node:child_process'` after this point see the wrappers.
  syncBuiltinESMExports()
}
