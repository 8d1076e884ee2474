// When the test process dies, even by SIGKILL, the child it started must be gone within 2 s: the
// child's watchdog sees its pipe to the parent close and kills its own process group.
import { afterEach, expect, test } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { isRunning } from '../helpers/processes.js'
import { defaultNode, modelEnv } from '../helpers/model.js'

const project = join(repoRoot, 'fixtures', 'vitest4')
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
let main: ChildProcess | undefined

afterEach(() => {
  // The Vitest main process is ours to end too.
  if (main?.pid && isRunning(main.pid)) process.kill(main.pid, 'SIGKILL')
})

async function waitFor<T>(what: string, probe: () => T | undefined, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function startHangingRun(): Promise<{ child: number; worker: number }> {
  const handshake = join(repoRoot, '.tmp', `handshake-${process.pid}-${Date.now()}.txt`)
  rmSync(handshake, { force: true })
  main = spawn(defaultNode(), [vitestBin, 'run', 'orphans/'], {
    cwd: project,
    stdio: 'ignore',
    env: { ...process.env, E2E_HANDSHAKE_FILE: handshake, ...modelEnv() },
  })
  const line = await waitFor(
    'the child to say it is looping',
    () => {
      if (main?.exitCode !== null) throw new Error(`vitest exited (${main?.exitCode}) before the child said it was looping`)
      return existsSync(handshake) ? readFileSync(handshake, 'utf8').trim() || undefined : undefined
    },
    60_000,
  )
  const [child, worker] = line.split(' ').map(Number) as [number, number]
  return { child, worker }
}

test.each(['SIGKILL', 'SIGTERM'] as const)('the child is gone within 2 s after its test process gets %s', async (signal) => {
  const { child, worker } = await startHangingRun()
  expect(isRunning(child)).toBe(true)
  process.kill(worker, signal)
  const killedAt = Date.now()
  await waitFor('the child to die', () => (isRunning(child) ? undefined : true), 2000)
  expect(Date.now() - killedAt).toBeLessThan(2000)
})
