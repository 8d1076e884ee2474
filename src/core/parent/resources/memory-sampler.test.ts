import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, expect, test } from 'vitest'
import { Containment } from '../containment/index.js'
import { MemorySampler, type TreeUsage } from './memory-sampler.js'

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
