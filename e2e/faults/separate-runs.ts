// The defects that need a run of their own, each driven by a handshake with its body: a daemon that
// holds the child's stdout (1), the runner's main process killed (4), Jest exiting with a spare (9).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRunning } from '../helpers/processes.js'
import { filesFor } from './fixture-files.js'
import { aliveAfter, processesWithToken, type LiveProcess } from './processes.js'
import { startFixture, waitUntil, type FixtureRun } from './run.js'
import type { Mode, Runtime } from './runtimes.js'

/** How long a verdict may take after the body has ended before the run counts as hung. */
export const DAEMON_GRACE_MS = 20_000

export interface DaemonRun {
  readonly run: FixtureRun
  /** From the body's end (it records the daemon last) to the runner's exit. */
  readonly afterBodyMs: number | undefined
}

/** Defect 1: the body starts a daemon on the child's stdout and returns. */
export async function runDaemon(runtime: Runtime, mode: Mode): Promise<DaemonRun> {
  const started = startFixture({ runtime, mode, files: filesFor(runtime, mode, 'daemon'), limitMs: 120_000 })
  const recorded = join(started.dir, 'recorded.jsonl')
  let bodyEnded: number | undefined
  try {
    await waitUntil('the body to record its daemon', () => existsSync(recorded), started, 90_000)
    bodyEnded = Date.now()
    started.stopAfter(DAEMON_GRACE_MS)
  } catch {
    // it ended (or failed) before the body did: the checks read what there is
  }
  await started.exited
  const afterBodyMs = bodyEnded === undefined ? undefined : Date.now() - bodyEnded
  return { run: await started.finished, afterBodyMs }
}

export interface MainKilled {
  /** The child and its grandchild, as the body wrote them before blocking. */
  readonly pids: readonly number[]
  /** Those still running 5 s after the runner's main process got SIGKILL. */
  readonly alive: readonly number[]
  /** From the SIGKILL until they were gone (or 5 s). */
  readonly ms: number
  /** Why the handshake did not happen, if it did not. */
  readonly error: string | undefined
  readonly run: FixtureRun
}

export const MAIN_KILLED_WAIT_MS = 5000

/** Defect 4: SIGKILL to the runner's main process while a body blocks with a grandchild. */
export async function killMain(runtime: Runtime, mode: Mode): Promise<MainKilled> {
  const started = startFixture({ runtime, mode, files: filesFor(runtime, mode, 'main-killed'), limitMs: 120_000 })
  const ready = join(started.dir, 'defect4-ready')
  let pids: number[] = []
  let alive: number[] = []
  let ms = 0
  let error: string | undefined
  try {
    await waitUntil('the body to start its grandchild', () => existsSync(ready) && readFileSync(ready, 'utf8').endsWith('\n'), started, 90_000)
    pids = readFileSync(ready, 'utf8').trim().split(' ').map(Number)
    process.kill(started.pid, 'SIGKILL')
    const killedAt = Date.now()
    alive = await aliveAfter(pids, MAIN_KILLED_WAIT_MS)
    ms = Date.now() - killedAt
  } catch (e) {
    error = (e as Error).message
  } finally {
    // The rest of the run (an orphaned worker, the child if it survived) is ours to end.
    started.kill()
  }
  return { pids, alive, ms, error, run: await started.finished }
}

export interface ExitGuard {
  /** Our children alive while the last test ran: the spare kept for a next test. */
  readonly spares: readonly LiveProcess[]
  /** Those still running once Jest had exited. */
  readonly left: readonly number[]
  /** What each of those is (state, parent, command), to tell a zygote from a forked child when it fails. */
  readonly leftInfo: readonly string[]
  /** Why the handshake did not happen, if it did not. */
  readonly error: string | undefined
  readonly run: FixtureRun
}

/**
 * Defect 9: Jest exits while a spare child is kept. The spare is frozen (SIGSTOP) first, so it cannot
 * end itself when it sees Jest go: only Jest's own exit can end it, as it must.
 */
function describeProcess(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 200)
    return `pid ${pid} state ${state} ppid ${ppid}: ${command}`
  } catch {
    return `pid ${pid}: gone`
  }
}

export async function exitGuard(runtime: Runtime): Promise<ExitGuard> {
  const started = startFixture({ runtime, mode: 'helper', files: filesFor(runtime, 'helper', 'exit-guard'), limitMs: 120_000 })
  let spares: LiveProcess[] = []
  let left: number[] = []
  let leftInfo: string[] = []
  let error: string | undefined
  try {
    await waitUntil('the last test to start', () => existsSync(join(started.dir, 'exit-guard-ready')), started, 90_000)
    spares = processesWithToken(started.token).filter((p) => p.command.includes('child-entry.js'))
    for (const spare of spares) process.kill(spare.pid, 'SIGSTOP')
    writeFileSync(join(started.dir, 'exit-guard-go'), 'go\n')
    await started.exited
    left = spares.map((s) => s.pid).filter(isRunning)
    leftInfo = left.map(describeProcess)
  } catch (e) {
    error = (e as Error).message
  } finally {
    started.kill()
  }
  return { spares, left, leftInfo, error, run: await started.finished }
}
