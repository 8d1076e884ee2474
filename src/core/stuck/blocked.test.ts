import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { expect, test } from 'vitest'
import { workerThreads } from './blocked.js'
import { nodeBinary } from '../../../e2e/helpers/nodes.js'

// Node 24 names a Worker's thread "WorkerThread" (Node 20 and 22 name every thread "node"); installed on first use.
const node24 = nodeBinary(24)

test('a spinning Worker is found from /proc, running, when its main thread cannot say', async () => {
  const script = `const { Worker } = require('node:worker_threads')
const w = new Worker('require("node:worker_threads").parentPort.postMessage("up"); for (;;) {}', { eval: true })
w.once('message', () => console.log('up'))`
  const child = spawn(node24, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await once(child.stdout, 'data')
    const found = workerThreads(child.pid!)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/^a Worker \(thread \d+, running; its JS frames could not be read\)$/)
  } finally {
    child.kill('SIGKILL')
  }
})

test('a process without Workers has none', async () => {
  const child = spawn(node24, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await once(child.stdout, 'data')
    expect(workerThreads(child.pid!)).toEqual([])
  } finally {
    child.kill('SIGKILL')
  }
})
