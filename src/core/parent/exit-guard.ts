// Children must not outlive the test process. On a normal exit or SIGINT/SIGTERM we kill every live
// child tree here; on SIGKILL (which we cannot catch) each child's watchdog sees its pipe close and
// kills its own group. One guard per process, kept on the real `process`: under Jest every test file
// loads its own copy of this module in a sandbox, and each must not add listeners of its own.
import { realProcess as process } from '../real-process.js'
import type { Containment } from './containment/index.js'

interface Guard {
  readonly live: Set<Containment>
  readonly killAll: () => void
}

const GUARD = Symbol.for('isolated-test.exit-guard')

function guard(): Guard {
  const holder = process as unknown as Record<symbol, Guard | undefined>
  const existing = holder[GUARD]
  if (existing) return existing
  const live = new Set<Containment>()
  // Without the freeze: the runner may SIGKILL this process right after its SIGTERM, and a tree we had
  // stopped would stay stopped, out of reach of its own watchdogs.
  const killAll = (): void => {
    for (const tree of live) tree.killNow()
    live.clear()
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    // Re-raise when nobody else handles it, so the process dies of the signal as it would without us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const created: Guard = { live, killAll }
  holder[GUARD] = created
  return created
}

export function trackChild(tree: Containment): void {
  guard().live.add(tree)
}

export function untrackChild(tree: Containment): void {
  guard().live.delete(tree)
}

/** Kills every child of this process now (a cancelled run). */
export function killAllChildren(): void {
  guard().killAll()
}
