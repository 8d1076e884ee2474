// Interrupting Jest while a test runs in a child (no limit) leaves no process behind: the test worker
// ends its children's trees on SIGINT/SIGTERM, and a child whose parent dies kills its own group.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { fixturesDir, isGone, liveChildren, type LogEntry } from './helpers.js'
import { defaultNode, modelEnv } from '../helpers/model.js'

async function interrupt(args: readonly string[], signal: NodeJS.Signals, group: boolean): Promise<{ log: LogEntry[]; logFile: string }> {
  const dir = join(fixturesDir, 'jest30')
  const work = mkdtempSync(join(tmpdir(), 'isolated-e2e-interrupt-'))
  const logFile = join(work, 'log.jsonl')
  const jest = spawn(defaultNode(), [join(dir, 'node_modules/jest/bin/jest.js'), '--ci', '--testPathIgnorePatterns', '/node_modules/', ...args], {
    cwd: dir,
    env: { ...process.env, FORCE_COLOR: '0', ISOLATED_E2E_LOG: logFile, ...modelEnv() },
    stdio: 'ignore',
    // Its own process group, so a "Ctrl-C" can go to Jest and its workers as a terminal sends it.
    detached: true,
  })
  // Its fixture loops with no limit, in a group of its own: should this run end before it interrupts
  // Jest (a failed handshake, the runner stopped), Jest's group goes with it instead of looping on.
  const endGroup = (): void => {
    try {
      process.kill(-jest.pid!, 'SIGKILL')
    } catch {
      // gone already
    }
  }
  process.once('exit', endGroup)
  const exited = new Promise<void>((done) =>
    jest.on('exit', () => {
      process.off('exit', endGroup)
      done()
    }),
  )
  const read = (): LogEntry[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogEntry) : [])
  // Handshake: the child has started the body (and its grandchild) before we interrupt.
  await new Promise<void>((ready, fail) => {
    const watch = setInterval(() => {
      if (read().some((e) => e.what === 'interrupt body')) {
        clearInterval(watch)
        ready()
      }
    }, 50)
    void exited.then(() => {
      clearInterval(watch)
      fail(new Error('jest exited before the test started'))
    })
  })
  if (group) process.kill(-jest.pid!, signal)
  else jest.kill(signal)
  await exited
  const log = read()
  rmSync(work, { recursive: true, force: true })
  return { log: [...log, { pid: jest.pid!, what: 'jest', child: false }], logFile }
}

/** The watchdog checks its parent every 500 ms; give the tree that long to go, checking as we wait. */
async function gone({ log: entries, logFile }: { log: readonly LogEntry[]; logFile: string }): Promise<string[]> {
  const deadline = Date.now() + 3000
  for (;;) {
    const alive = [...entries.filter((e) => !isGone(e.pid)).map((e) => `${e.pid} (${e.what})`), ...liveChildren('jest30', logFile)]
    if (alive.length === 0 || Date.now() > deadline) return alive
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('SIGINT to an in-band Jest run ends the child and its grandchild', async () => {
  const run = await interrupt(['--runInBand', 'interrupt/interrupt.test.js'], 'SIGINT', false)
  expect(run.log.some((e) => e.what === 'interrupt grandchild')).toBe(true)
  expect(await gone(run)).toEqual([])
})

test('Ctrl-C (SIGINT to the process group) of Jest with workers ends the child and its grandchild', async () => {
  const run = await interrupt(['--maxWorkers=2', 'interrupt/interrupt.test.js', '__tests__/features.test.js'], 'SIGINT', true)
  expect(await gone(run)).toEqual([])
})

test('SIGTERM to the main Jest process only: its worker ends our children when Jest goes away', async () => {
  const run = await interrupt(['--maxWorkers=2', 'interrupt/interrupt.test.js', '__tests__/features.test.js'], 'SIGTERM', false)
  // Jest's own workers outlive their parent as Jest makes them; ours must not.
  const ours = run.log.filter((e) => e.child || e.what === 'interrupt grandchild')
  expect(await gone({ log: ours, logFile: run.logFile })).toEqual([])
})
