import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, expect, test } from 'vitest'
import { Containment } from '../containment/index.js'
import { MemorySampler, type TreeCpu, type TreeUsage } from './memory-sampler.js'

let child: ChildProcess | undefined
afterEach(() => {
  child?.kill('SIGKILL')
})

/** A Node process that allocates and fills 200 MB when told to on stdin, then says so. */
async function hog(): Promise<{ child: ChildProcess; allocate: () => Promise<void> }> {
  const c = spawn(process.execPath, ['-e', "process.stdin.once('data', () => { globalThis.b = Buffer.alloc(200 * 1024 * 1024, 1); console.log('filled') }); console.log('ready')"], { stdio: ['pipe', 'pipe', 'inherit'] })
  child = c
  await once(c.stdout!, 'data')
  return {
    child: c,
    allocate: async () => {
      c.stdin!.write('go\n')
      await once(c.stdout!, 'data')
    },
  }
}

test.each([false, true])('the sampler calls back once the tree passes the limit, naming the process (forked: %s)', async (forked) => {
  const { child: c, allocate } = await hog()
  const containment = new Containment({ childIsSubreaper: false })
  containment.adopt(c.pid!)
  const seen: TreeUsage[] = []
  const sampler = new MemorySampler({ containment, rootPid: c.pid!, forked, limitKb: 150 * 1024, onExceeded: (u) => seen.push(u), periodMs: 20 })
  sampler.start()
  // Below the limit before the allocation (a bare Node process is 30-60 MB).
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(seen).toEqual([])
  expect(sampler.peak!.totalKb).toBeLessThan(150 * 1024)
  await allocate()
  // Up to 10 s: on a loaded machine a 200 MB fill alone took seconds.
  for (let i = 0; i < 500 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  sampler.stop()
  expect(seen).toHaveLength(1)
  expect(seen[0]!.totalKb).toBeGreaterThan(150 * 1024)
  expect(seen[0]!.largest.pid).toBe(c.pid)
  expect(seen[0]!.largest.command).toContain('Buffer.alloc(200')
  expect(sampler.peak!.totalKb).toBeGreaterThanOrEqual(seen[0]!.totalKb)
}, 30_000)

test('with a cpuLimit, the sampler calls back once the tree has used more CPU time, naming the process that used it', async () => {
  // The child spawns a grandchild that burns CPU once told: the tree's time counts, not the child's alone.
  const c = spawn(
    process.execPath,
    ['-e', "const { spawn } = require('child_process'); const g = spawn(process.execPath, ['-e', 'process.stdin.once(\"data\", () => { for (;;) {} })'], { stdio: ['pipe', 'inherit', 'inherit'] }); console.log(g.pid); process.stdin.once('data', () => g.stdin.write('go')); setInterval(() => {}, 1000)"],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  child = c
  const grandchild = Number(String(await once(c.stdout!, 'data')))
  try {
    const containment = new Containment({ childIsSubreaper: false })
    containment.adopt(c.pid!)
    const seen: TreeCpu[] = []
    const sampler = new MemorySampler({ containment, rootPid: c.pid!, forked: false, cpuLimitMs: 400, onCpuExceeded: (u) => seen.push(u), periodMs: 20 })
    sampler.start()
    await new Promise((resolve) => setTimeout(resolve, 100))
    // Two idle Node processes have used well under 400 ms of CPU.
    expect(seen).toEqual([])
    c.stdin!.write('go\n')
    for (let i = 0; i < 500 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    sampler.stop()
    expect(seen).toHaveLength(1)
    expect(seen[0]!.totalMs).toBeGreaterThan(400)
    expect(seen[0]!.largest.pid).toBe(grandchild)
    expect(seen[0]!.processes.map((p) => p.pid).sort()).toEqual([c.pid, grandchild].sort())
    // Memory was not read: no limit for it.
    expect(sampler.peak).toBeUndefined()
  } finally {
    try {
      process.kill(grandchild, 'SIGKILL')
    } catch {
      // gone
    }
  }
}, 20_000)
