// Checks by pid that nothing we started is left. A zombie (exited, not yet reaped by init) is dead.
import { readFileSync, existsSync } from 'node:fs'

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return true
  }
}

export function readPids(file: string): number[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number)
}

/** Pids from the list that are still running, after giving SIGKILLed ones a moment to be reaped. */
export async function survivors(pids: readonly number[]): Promise<number[]> {
  for (let i = 0; i < 20; i++) {
    const alive = pids.filter(isRunning)
    if (alive.length === 0) return []
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return pids.filter(isRunning)
}
