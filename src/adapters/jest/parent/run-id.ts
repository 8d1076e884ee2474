// One run id for every JSON Lines record of a Jest run. Jest starts the workers, not us, so no id can be
// handed down to them; each derives the same one from what they share: the main Jest process (a
// worker's parent, or the process itself when in band) and the seed Jest picks once per run.
import { realProcess } from '../../../core/real-process.js'
import { RUN_ID_ENV } from '../../../core/state/report-file.js'

/** Sets `ISOLATED_TEST_RUN_ID` in `env` unless it is set (by the user, or earlier in this process). */
export function ensureJestRunId(env: NodeJS.ProcessEnv, seed: number | undefined): void {
  if (env[RUN_ID_ENV]) return
  // Under a plain setup this runs in Jest's sandbox, whose `process` is a copy: ask for the real one.
  const real = realProcess
  const main = real.connected ? real.ppid : real.pid
  env[RUN_ID_ENV] = `jest-${main}-${((seed ?? 0) >>> 0).toString(16)}`
}
