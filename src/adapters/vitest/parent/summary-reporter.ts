// The run summary under the plugin: a Vitest reporter, added to the run's reporters from the plugin's
// configureVitest hook (Vitest creates the reporters after that hook, from `vitest.config.reporters`),
// that prints the heaviest tests of this run when the run ends, after Vitest's own summary.
import { resolve } from 'node:path'
import { runSummary } from '../../../core/parent/run-summary.js'

/** The part of Vitest's `Vitest` object we use (Vitest 4.1 and 5). */
export interface VitestContext {
  readonly config: { reporters: unknown[] }
  readonly logger?: { log(...args: unknown[]): void }
}

const added = new WeakSet<object>()

/** Adds the summary reporter once per Vitest instance (configureVitest runs once per project). */
export function addSummaryReporter(vitest: VitestContext, reportFile: string, runId: string): void {
  if (added.has(vitest) || !Array.isArray(vitest.config.reporters)) return
  added.add(vitest)
  const file = resolve(process.cwd(), reportFile)
  vitest.config.reporters.push({
    onTestRunEnd(): void {
      const text = runSummary(file, runId, process.cwd())
      if (text === undefined) return
      if (vitest.logger) vitest.logger.log(text)
      else process.stdout.write(`${text}\n`)
    },
  })
}
