// Runs one Jest test in a child through the core (slots, timers, stuck frames, tree kill, crashes),
// replays its output through the test's console before returning, and rebuilds what it threw.
import type { HooksMode, Limits, ResolvedOptions } from '../options.js'
import type { JestPayload, JestRunRequest, TestTarget } from '../ipc/protocol.js'
import { deserializeThrown } from '../ipc/serialize.js'
import type { SerializedThrown } from '../ipc/protocol.js'
import { runInChild } from '../parent/run-child.js'
import { readStartupEnv, startupCwd, withOverrides } from '../parent/startup-env.js'
import type { TestConsole } from './circus-types.js'
import { ConsoleRelay } from './console-relay.js'
import { assertJestAlive } from './jest-parent.js'
import { presentForJest } from './present-error.js'

export interface JestTestRun {
  readonly options: ResolvedOptions
  readonly limits: Limits
  /** What to raise when the body's limit is too short (named in the timeout error). */
  readonly setting: string
  readonly target: TestTarget
  readonly hooks: HooksMode
  readonly payload: JestPayload
  /** The test's own view of `process.env` and the cwd now: what 'fork' passes on. */
  readonly forkEnv: Readonly<Record<string, string | undefined>>
  readonly console: TestConsole
  readonly signal: AbortSignal
  /** Where the test was declared (circus's `asyncError`): where our own failures point. */
  readonly definedAt: Error
}

/** Resolves to the errors the test failed with in the child, rebuilt; none when it passed. */
export async function runJestTest(run: JestTestRun): Promise<unknown[]> {
  assertJestAlive()
  const { options } = run
  const fork = options.method === 'fork'
  const env = withOverrides(fork ? run.forkEnv : readStartupEnv(), { ...colorEnv(), ...options.env })
  const cwd = fork ? process.cwd() : startupCwd
  const request: JestRunRequest = {
    framework: 'jest',
    target: { kind: 'test', test: run.target },
    hooks: run.hooks,
    env,
    cwd,
    setup: options.setup,
    context: {},
    // Hook limits are known in the child (each hook's own timeout, then Jest's), which reports them.
    hookLimit: undefined,
    asyncOrigins: options.asyncOrigins,
    jest: run.payload,
  }
  const relay = new ConsoleRelay(run.console)
  try {
    const { result, durations } = await runInChild({
      options,
      limits: run.limits,
      describeLimit: (phase, limit) =>
        phase === 'body' ? run.setting : `the hook's timeout (now ${limit} ms: its own timeout argument, else \`timeout\` in testEnvironmentOptions.isolated, else Jest's \`testTimeout\`)`,
      start: { env, cwd, execArgv: [...process.execArgv, ...options.execArgv] },
      request,
      signal: run.signal,
      onOutput: (stream, text) => relay.write(stream, text),
    })
    if (process.env.ISOLATED_TEST_TIMING) process.stderr.write(`isolated-test timing: boot ${durations.boot.toFixed(0)} ms body ${durations.body.toFixed(0)} ms\n`)
    if (result.kind !== 'test') throw new Error('isolated-test: the Jest child answered a test with a value; this is a bug in isolated-test.')
    return result.outcome.state === 'fail' ? (result.outcome.errors as SerializedThrown[]).map(deserializeThrown) : []
  } catch (error) {
    throw presentForJest(error, run.definedAt)
  } finally {
    // runInChild returns once the child's streams are closed: everything it wrote is here.
    relay.flush()
  }
}

/** Jest colours diffs when its own output supports colour; the child writes to a pipe, so say so. */
function colorEnv(): Record<string, string | undefined> {
  if (process.env.FORCE_COLOR !== undefined || process.env.NO_COLOR !== undefined) return {}
  return process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}
}
