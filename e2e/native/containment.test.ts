// Kill-on-death without a thread per child: a stand-in worker (bench/fork/worker.mjs) starts the
// harness zygote and forks a child that starts a plain grandchild, a detached one and a setsid daemon.
// Whoever dies (the worker, the runner's main process, the zygote), every one of them is gone within
// 2 s, even with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, test } from 'vitest'
import { repoRoot } from '../helpers/package.js'
import { isRunning } from '../helpers/processes.js'
import { MAJORS, nodeBinary } from './helpers.js'

const workerScript = join(repoRoot, 'bench', 'fork', 'worker.mjs')
const started: ChildProcess[] = []

afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
})

interface Tree {
  worker: ChildProcess
  zygote: number
  child: number
  /** The child and its three grandchildren. */
  pids: number[]
}

async function startTree(major: number, mainPid = 0, zygoteArgs: string[] = []): Promise<Tree> {
  const worker = spawn(process.execPath, [workerScript, nodeBinary(major as 22), String(mainPid), ...zygoteArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  started.push(worker)
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: worker.stdout! }).once('line', resolve)
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before reporting`)))
  })
  const { zygote, child, pids } = JSON.parse(line) as { zygote: number; child: number; pids: number[] }
  expect(pids).toHaveLength(4)
  for (const pid of [zygote, ...pids]) expect(isRunning(pid), `pid ${pid}`).toBe(true)
  return { worker, zygote, child, pids }
}

/** Milliseconds until none of pids runs (polled every 10 ms), or Infinity after 5 s. */
async function timeUntilGone(pids: readonly number[]): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < 5000) {
    if (!pids.some(isRunning)) return performance.now() - start
    await new Promise((r) => setTimeout(r, 10))
  }
  return Infinity
}

describe.each(MAJORS)('Node %i', (major) => {
  test('SIGKILL of the worker ends the zygote, the child and every grandchild within 2 s', async () => {
    const t = await startTree(major)
    t.worker.kill('SIGKILL')
    expect(await timeUntilGone([t.zygote, ...t.pids])).toBeLessThan(2000)
  })

  test("SIGKILL of the runner's main process ends them too, while the worker lives on", async () => {
    const main = spawn('sleep', ['1000'], { stdio: 'ignore' })
    started.push(main)
    const t = await startTree(major, main.pid!)
    main.kill('SIGKILL')
    expect(await timeUntilGone([t.zygote, ...t.pids])).toBeLessThan(2000)
    expect(isRunning(t.worker.pid!)).toBe(true)
  })

  test("SIGKILL of the zygote: each child's parent-death handler ends its own tree", async () => {
    const t = await startTree(major)
    process.kill(t.zygote, 'SIGKILL')
    expect(await timeUntilGone(t.pids)).toBeLessThan(2000)
  })
})

test("with a watcher thread in each child instead (the zygote then watches nobody), a dead main process ends the child's tree", async () => {
  const main = spawn('sleep', ['1000'], { stdio: 'ignore' })
  started.push(main)
  const t = await startTree(24, main.pid!, ['--child-thread'])
  main.kill('SIGKILL')
  expect(await timeUntilGone(t.pids)).toBeLessThan(2000)
  expect(isRunning(t.zygote)).toBe(true)
})
