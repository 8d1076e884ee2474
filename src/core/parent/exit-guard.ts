// Children must not outlive the test process. On a normal exit or SIGINT/SIGTERM we kill every live
// child tree here; on SIGKILL (which we cannot catch) each child's watchdog sees its pipe close and
// kills its own group.
import { killTreeNow } from './terminate.js'

const live = new Set<number>()
let installed = false

function killAll(): void {
  for (const pid of live) killTreeNow(pid)
  live.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  killAll()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  // Re-raise when nobody else handles it, so the process dies of the signal as it would without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function install(): void {
  if (installed) return
  installed = true
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export function trackChild(pid: number): void {
  install()
  live.add(pid)
}

export function untrackChild(pid: number): void {
  live.delete(pid)
}

/** Kills every child of this process now (a cancelled run). */
export function killAllChildren(): void {
  killAll()
}
