// Every process a fixture run starts carries the run's token in its environment (E2E_FAULTS_TOKEN),
// daemons that left the tree included: scanning /proc for it finds what a pid list can miss.
import { readdirSync, readFileSync } from 'node:fs'
import { isRunning } from '../helpers/processes.js'

export const TOKEN_ENV = 'E2E_FAULTS_TOKEN'

export interface LiveProcess {
  readonly pid: number
  readonly command: string
}

/** Live (not zombie) processes whose environment holds this token. Linux only (reads /proc). */
export function processesWithToken(token: string): LiveProcess[] {
  const found: LiveProcess[] = []
  const entry = `${TOKEN_ENV}=${token}`
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) continue
      if (!isRunning(pid)) continue
      found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() })
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

/** Pids still running after waiting up to `ms` for them to go. */
export async function aliveAfter(pids: readonly number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms
  for (;;) {
    const alive = pids.filter(isRunning)
    if (alive.length === 0 || Date.now() >= until) return alive
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Ends whatever a run left behind: only processes with its token, so never anyone else's. */
export function killByToken(token: string): void {
  for (const p of processesWithToken(token)) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
}
