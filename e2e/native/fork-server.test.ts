// The fork server outside any framework, on Node 22, 24 and 26: the harness zygote (bench/fork/
// zygote.mjs) serves forks to this process over its control socket; each child's behaviour is checked
// on what it reports over its own channel, its output, its exit as the zygote reaped it, and /proc.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isRunning, survivors } from '../helpers/processes.js'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { harness, MAJORS, nativeEntry, nodeBinary } from './helpers.js'

type Harness = typeof import('../../bench/fork/harness.mjs')
const { startZygote, forkScenario } = (await import(harness)) as Harness
const { codeRssKb } = (await import(harness.replace(/harness\.mjs$/, 'scenarios.mjs'))) as typeof import('../../bench/fork/scenarios.mjs')
const { zygoteFlags, loadAddon } = (await import(nativeEntry)) as typeof import('../../src/core/native/index.js')
type Zygote = Awaited<ReturnType<Harness['startZygote']>>

test("without dropping the platform's worker-thread tasks, a Node 26 child hangs in its first collections (the self-test says so)", () => {
  const r = spawnSync(nodeBinary(26), ['--single-threaded', join(repoRoot, 'dist', 'fork-self-test.js')], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ISOLATED_TEST_KEEP_WORKER_TASKS: '1' },
  })
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, reason: expect.stringContaining('did not finish') })
})

describe.each(MAJORS)('Node %i', (major) => {
  let zygote: Zygote
  const strays: number[] = []

  beforeAll(async () => {
    zygote = await startZygote({ node: nodeBinary(major), flags: zygoteFlags(major), zygoteArgs: ['--use-random'], onStrays: (pids: number[]) => strays.push(...pids) })
  })
  afterAll(async () => {
    const gone = await zygote.shutdown()
    expect(gone.bye?.reason).toBe('shutdown')
    expect(isRunning(zygote.pid)).toBe(false)
  })

  test('the one-fork self-test passes with --single-threaded, and says why not without it', () => {
    const selfTest = (flags: string[]): unknown =>
      JSON.parse(spawnSync(nodeBinary(major), [...flags, join(repoRoot, 'dist', 'fork-self-test.js')], { encoding: 'utf8', timeout: 30_000 }).stdout)
    expect(selfTest([...zygoteFlags(major)])).toMatchObject({ ok: true })
    expect(selfTest([])).toMatchObject({ ok: false, reason: expect.stringContaining('--single-threaded') })
  })

  test('a child runs JS, a timer, fs, crypto, import(), spawn, the inspector; talks on its channel; exits with its code', async () => {
    const c = await forkScenario(zygote, 'full')
    const { results: r } = await c.next()
    expect(r.pid).toBe(c.child.pid)
    expect(r.realPid).toBe(c.child.pid)
    expect(r.ppid).toBe(zygote.pid)
    // Its own process group, an OOM score above the zygote's, the zygote's signal mask plus the stack
    // signal (blocked for the stack thread that waits on it), and the platform's worker-thread tasks
    // redirected.
    expect(r.pgid).toBe(c.child.pid)
    expect(r.oomScoreAdj).toBe(Number(readFileSync(`/proc/${zygote.pid}/oom_score_adj`, 'utf8')) + 100)
    const zygoteMask = BigInt(`0x${/^SigBlk:\s+(\w+)/m.exec(readFileSync(`/proc/${zygote.pid}/task/${zygote.pid}/status`, 'utf8'))?.[1]}`)
    const stackBit = 1n << BigInt(loadAddon().addon!.stackSignal - 1)
    expect(r.sigBlk).toBe((zygoteMask | stackBit).toString(16).padStart(16, '0'))
    expect(r.workerTaskSlots).toBe(2)
    expect(r.fs).toBe(String(c.child.pid))
    expect(r.crypto).toMatch(/^[0-9a-f]{16}$/)
    expect(r.dynamicImport).toBe('function')
    expect(r.spawn.code).toBe(0)
    expect(r.spawn.out).toMatch(/^spawned-\d+$/)
    expect(r.spawnSync).toBe('sync')
    expect(r.inspector).toBe(42)
    c.send({ echo: 'ping' })
    expect(await c.next()).toEqual({ echoed: 'ping' })
    c.send({ exit: 7 })
    const exit = await c.child.exited
    expect(exit).toMatchObject({ lost: false, code: 7, signal: null })
    expect(await c.stdout).toBe(`stdout of ${c.child.pid}\nconsole.log of ${c.child.pid}\n`)
    expect(await c.stderr).toBe(`stderr of ${c.child.pid}\n`)
  })

  test('two concurrent children draw different Math.random() and randomUUID(); V8 alone would repeat', async () => {
    const [a, b] = await Promise.all([forkScenario(zygote, 'draws'), forkScenario(zygote, 'draws')])
    const [x, y] = await Promise.all([a.next(), b.next()])
    // What the zygote drew at import is the same in both (it happened once, before the forks)...
    expect(x.zygoteDraws).toEqual(y.zygoteDraws)
    // ...V8's own generator continues from the same state in both...
    expect(x.v8Random).toBe(y.v8Random)
    // ...the fixed ones do not.
    expect(x.random).not.toBe(y.random)
    expect(x.uuid).not.toBe(y.uuid)
    expect(x.webUuid).not.toBe(y.webUuid)
    expect(x.bytes).not.toBe(y.bytes)
    await Promise.all([a.child.exited, b.child.exited])
  })

  test('without the reset, children that inherit a used randomUUID batch repeat each other', async () => {
    const z = await startZygote({ node: nodeBinary(major), flags: zygoteFlags(major), zygoteArgs: ['--use-random', '--no-uuid-reset'] })
    try {
      const [a, b] = await Promise.all([forkScenario(z, 'draws'), forkScenario(z, 'draws')])
      const [x, y] = await Promise.all([a.next(), b.next()])
      expect(x.uuid).toBe(y.uuid)
      await Promise.all([a.child.exited, b.child.exited])
    } finally {
      await z.shutdown()
    }
  })

  test('after many collections a child ends naturally, and a new Worker answers (no task waits for threads the child lacks)', async () => {
    const gc = await forkScenario(zygote, 'gc-then-exit')
    expect(await gc.next()).toEqual({ done: true })
    expect(await gc.child.exited).toMatchObject({ code: 0, signal: null })
    const worker = await forkScenario(zygote, 'worker')
    expect(await worker.next()).toEqual({ worker: 42 })
    expect(await worker.child.exited).toMatchObject({ code: 0 })
  })

  test('a child has its own stdout, stderr and channel, and none of the zygote control descriptors', async () => {
    const zygoteFds = fdTargets(zygote.pid)
    const c = await forkScenario(zygote, 'fds')
    const { fds } = (await c.next()) as { fds: { fd: number; target: string }[] }
    await c.child.exited
    const own = new Map(fds.filter((f) => f.target !== 'gone').map((f) => [f.fd, f.target]))
    const sockets = [...own].filter(([, t]) => t.startsWith('socket:'))
    // Exactly three sockets: fd 1, fd 2 and the channel; none of them the zygote's (its stdio, its control socket).
    expect(sockets.map(([fd]) => fd).sort((p, q) => p - q)).toEqual(expect.arrayContaining([1, 2]))
    expect(sockets).toHaveLength(3)
    for (const [, target] of sockets) expect([...zygoteFds.values()]).not.toContain(target)
    // No pidfd (the zygote watches the worker and its children through them).
    expect([...own.values()].filter((t) => t.includes('pidfd'))).toEqual([])
    // Everything else is libuv's (recreated by uv_loop_fork, or belonging to threads the child lacks),
    // or was inherited by the zygote itself from its parent.
    for (const [fd, target] of own) {
      if (target.startsWith('socket:')) continue
      const libuv = /^(anon_inode:\[(eventpoll|eventfd|io_uring)\]|pipe:\[\d+\]|\/dev\/null)$/.test(target)
      expect(libuv || zygoteFds.get(fd) === target, `fd ${fd} -> ${target}`).toBe(true)
    }
  })

  test('the child keeps V8 mappings out of its own forks (MADV_DONTFORK restored)', async () => {
    const c = await forkScenario(zygote, 'fds')
    const { smapsDc } = await c.next()
    await c.child.exited
    // Every range the zygote had is DONTFORK again; V8 may have mapped (and marked) another since the fork.
    expect(smapsDc).toBeGreaterThanOrEqual(zygote.ready.dontforkRanges)
    expect(smapsDc).toBeGreaterThan(10)
  })

  test("a child starts with the zygote's code mapped (fork copies those page-table entries); without that it faults each page in", async () => {
    const childCode = async (z: Zygote): Promise<{ zygoteKb: number; childKb: number }> => {
      const zygoteKb = codeRssKb(z.pid)
      const c = await forkScenario(z, 'code-pages')
      const { codeRssKb: childKb } = (await c.next()) as { codeRssKb: number }
      await c.child.exited
      return { zygoteKb, childKb }
    }
    // Zygotes that loaded Vitest's module graph: they ran far more code than a child's first statement.
    const withGraph = async (share: 'on' | 'off'): Promise<{ zygoteKb: number; childKb: number }> => {
      const z = await startZygote({ node: nodeBinary(major), flags: zygoteFlags(major), graph: 'vitest', env: { ...process.env, ISOLATED_TEST_SHARE_CODE: share } })
      try {
        return await childCode(z)
      } finally {
        await z.shutdown()
      }
    }
    const shared = await withGraph('on')
    expect(shared.zygoteKb).toBeGreaterThan(8192)
    expect(shared.childKb).toBeGreaterThan(shared.zygoteKb * 0.9)
    const faulted = await withGraph('off')
    expect(faulted.childKb).toBeLessThan(faulted.zygoteKb * 0.5)
  })

  describe('exit paths', () => {
    const cases = [
      { how: 'process.exit', code: 3, expected: 3 },
      { how: 'exitCode', code: 4, expected: 4 },
      { how: 'listener', code: 5, expected: 5 },
      { how: 'throw', expected: 1, stderr: 'uncaught in a forked child' },
      { how: 'reject', expected: 1, stderr: 'unhandled rejection in a forked child' },
    ]
    test.each(cases)('$how ends with code $expected, after the exit listeners', async ({ how, code, expected, stderr }) => {
      const c = await forkScenario(zygote, 'exit', { how, code })
      const listener = await c.next()
      expect(typeof listener.exitListener).toBe('number')
      expect(await c.child.exited).toMatchObject({ lost: false, code: expected, signal: null })
      if (stderr) {
        const text = await c.stderr
        expect(text).toContain(stderr)
        expect(text).toContain(`Node.js ${'v' + major}`)
      }
    })

    test('8 MB written just before a natural end all reach the worker', async () => {
      const bytes = 8 << 20
      const c = await forkScenario(zygote, 'exit', { how: 'big-write', bytes, code: 9 })
      expect(await c.child.exited).toMatchObject({ code: 9 })
      expect((await c.stdout).length).toBe(bytes)
    })
  })

  test('leftovers of an exited child (a daemon in its own session, a detached child) are killed and reported', async () => {
    const c = await forkScenario(zygote, 'tree')
    const { pids, daemonPpid } = (await c.next()) as { pids: number[]; daemonPpid: number }
    const [, ...grandchildren] = pids
    expect(daemonPpid).toBe(c.child.pid) // the child is a subreaper
    for (const pid of grandchildren) expect(isRunning(pid)).toBe(true)
    c.send({ exit: 0 })
    expect(await c.child.exited).toMatchObject({ code: 0 })
    expect(await survivors(grandchildren)).toEqual([])
    for (let i = 0; i < 50 && !grandchildren.every((p) => strays.includes(p)); i++) await new Promise((r) => setTimeout(r, 20))
    expect(strays).toEqual(expect.arrayContaining(grandchildren))
  })
})

function fdTargets(pid: number): Map<number, string> {
  const out = new Map<number, string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`))
    } catch {
      // closed meanwhile
    }
  }
  return out
}
