// Runs one runner process in its own process group, so that the whole group (the runner, its workers,
// whatever the tests started) can be ended at once: on Ctrl-C, and after the runner exits (what it left).
import { spawn } from 'node:child_process'
import { logPids } from '../../core/parent/pid-log.js'

export interface Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Process groups of runner processes still alive: `killAll` ends them (Ctrl-C). */
const live = new Set<number>()

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs` if any member is left; resolves when the group is empty. */
export async function killGroup(pgid: number, graceMs = 1000): Promise<void> {
  signalGroup(pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL')
  for (let i = 0; i < 80 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 25))
  live.delete(pgid)
}

export async function killAll(): Promise<void> {
  await Promise.all([...live].map((pgid) => killGroup(pgid, 500)))
}

export interface RunOptions {
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Ends the group early (the answer is known, or Ctrl-C). */
  readonly signal?: AbortSignal
}

export function runInGroup(command: string, args: readonly string[], options: RunOptions): Promise<Ran> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    // detached: setsid(), so the child leads a new process group (and session: no terminal's Ctrl-C reaches it; we end it).
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const pgid = child.pid
    if (pgid === undefined) {
      child.once('error', reject)
      return
    }
    live.add(pgid)
    logPids([pgid])
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const onAbort = (): void => void killGroup(pgid)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort)
      // The runner is gone; anything it left in its group (a test's own child) goes with it.
      void killGroup(pgid, 200).then(() => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }))
    })
  })
}
