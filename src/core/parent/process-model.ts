// Which process model runs isolated tests here: the fork server (every test a fork(2) of a warm zygote)
// or fresh Node processes. 'auto' forks where a one-fork self-test passes: Linux x64 with the native
// addon, Node 22 or later (Node 20's V8 still posts work to threads a forked child does not have);
// 'fork-server' insists (an error, never a fallback); 'fresh' never forks.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadAddon } from '../native/addon.js'
import { zygoteFlags } from '../native/zygote-flags.js'
import { tuningBootFlags } from '../native/zygote-tuning.js'
import type { ProcessModel } from './child.js'
import type { ProcessModelOption } from '../options.js'
import { noticeOnce } from './notice.js'
import { IsolatedConfigError } from '../errors.js'


export const PROCESS_MODEL_ENV = 'ISOLATED_TEST_PROCESS_MODEL'

export interface ModelDecision {
  readonly model: ProcessModel
  /** Why the fork server is not used, when it is not. */
  readonly reason?: string | undefined
  /** The zygote's flags, for the fork server. */
  readonly flags: readonly string[]
}

const major = Number(process.versions.node.split('.')[0])

/** The zygote's Node flags by major, chosen by measurement (native/README.md), and how it compiles. */
export function forkFlags(nodeMajor = major): readonly string[] {
  return [...zygoteFlags(nodeMajor), ...tuningBootFlags(nodeMajor)]
}

let selfTest: Promise<{ ok: boolean; reason?: string }> | undefined

/**
 * Where a passed self-test is remembered for this machine, Node binary, flags and addon build, so that
 * each test worker does not pay for it again (a failed one is always run again).
 */
function verdictFile(): string {
  const script = fileURLToPath(new URL('./fork-self-test.js', import.meta.url))
  const addonStamp = (() => {
    try {
      const s = statSync(script)
      return `${s.size}-${s.mtimeMs}`
    } catch {
      return 'none'
    }
  })()
  const key = [process.execPath, process.version, release(), forkFlags().join(' '), addonStamp, script].join('|')
  return join(tmpdir(), `isolated-test-fork-ok-${createHash('sha1').update(key).digest('hex').slice(0, 16)}`)
}

/** The one-fork self-test, in a throwaway process started with the fork flags; once per process. */
function runSelfTest(): Promise<{ ok: boolean; reason?: string }> {
  const remembered = verdictFile()
  if (!selfTest && existsSync(remembered)) selfTest = Promise.resolve({ ok: true })
  selfTest ??= new Promise((resolve) => {
    const script = fileURLToPath(new URL('./fork-self-test.js', import.meta.url))
    execFile(process.execPath, [...forkFlags(), script], { timeout: 15_000, encoding: 'utf8' }, (error, stdout) => {
      try {
        const verdict = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { ok: boolean; reason?: string }
        if (verdict.ok) {
          try {
            writeFileSync(remembered, `${new Date().toISOString()} ok\n`)
          } catch {
            // not remembered: the next worker runs it again
          }
        }
        resolve(verdict.ok ? { ok: true } : { ok: false, reason: `the one-fork self-test failed: ${verdict.reason ?? 'no reason given'}` })
      } catch {
        resolve({ ok: false, reason: `the one-fork self-test did not answer (${error?.message.split('\n')[0] ?? 'no output'})` })
      }
    })
  })
  return selfTest
}

/** What stands in the way of forking on this machine, before any test: undefined when nothing does. */
export function forkBlocker(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the fork server needs Linux x64 (this is ${process.platform}-${process.arch})`
  if (major < 22) return `Node ${process.versions.node} stays on fresh processes (the fork server needs Node 22 or later)`
  const { reason } = loadAddon()
  return reason
}

const decisions = new Map<ProcessModelOption, Promise<ModelDecision>>()

/** The model for this option (the option, else ISOLATED_TEST_PROCESS_MODEL, else 'auto'); once per process. */
export function decideProcessModel(option: ProcessModelOption | undefined): Promise<ModelDecision> {
  const fromEnv = process.env[PROCESS_MODEL_ENV]
  if (option === undefined && fromEnv && !parseModel(fromEnv)) {
    throw new IsolatedConfigError(`${PROCESS_MODEL_ENV} must be 'auto', 'fork-server' or 'fresh', got ${JSON.stringify(fromEnv)}.`)
  }
  const wanted = option ?? parseModel(fromEnv) ?? 'auto'
  let decided = decisions.get(wanted)
  if (!decided) {
    decided = decide(wanted)
    decisions.set(wanted, decided)
  }
  return decided
}

async function decide(wanted: ProcessModelOption): Promise<ModelDecision> {
  if (wanted === 'fresh') return { model: 'fresh', reason: "processModel is 'fresh'", flags: [] }
  const blocker = forkBlocker() ?? (await runSelfTest()).reason
  if (blocker && wanted === 'fork-server') {
    throw new IsolatedConfigError(`processModel is 'fork-server' (the option or ${PROCESS_MODEL_ENV}), but ${blocker}. Use 'auto' to fall back to fresh processes, or 'fresh'.`)
  }
  if (blocker) {
    noticeOnce('process model', `isolated-test: isolated tests run in fresh Node processes, not forks of a zygote: ${blocker}. Forks need Linux x64 and Node 22 or later; processModel: 'fresh' (or ${PROCESS_MODEL_ENV}=fresh) says so and silences this line.`)
    return { model: 'fresh', reason: blocker, flags: [] }
  }
  return { model: 'fork-server', flags: forkFlags() }
}

export function parseModel(value: string | undefined): ProcessModelOption | undefined {
  return value === 'auto' || value === 'fork-server' || value === 'fresh' ? value : undefined
}
