// `isolatedTests()`: a Vite plugin whose `config()` installs our runner (which extends Vitest's own)
// and hands it the options.
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import { normalizePluginOptions, PROVIDE_KEY, type IsolatedTestsOptions } from './plugin-options.js'
import { runId } from '../../../core/state/report-file.js'
import { addSummaryReporter, type VitestContext } from './summary-reporter.js'
import { isOff } from '../../../core/off.js'

interface UserConfig {
  root?: string
  test?: { runner?: string; root?: string }
}

/** The structural part of a Vite plugin we use; assignable to Vite's `Plugin`. */
export interface IsolatedTestsPlugin {
  readonly name: string
  config(config: UserConfig): { test: Record<string, unknown> }
  /** Vitest's own hook (3.1+), in the main process: adds the run summary's reporter when `report` is set. */
  configureVitest(context: { vitest: VitestContext }): void
}

/**
 * Runs every test of the project (hooks included) in its own child process, killed with its whole
 * process tree when its limit passes. `plugins: [isolatedTests({ timeout: 10_000 })]`.
 */
export function isolatedTests(options?: IsolatedTestsOptions): IsolatedTestsPlugin {
  // Validate now, so a typo fails when the config loads, not in every worker.
  const checked = normalizePluginOptions(options, process.cwd())
  return {
    name: 'isolated-test',
    config(config) {
      // ISOLATED_TEST=off (the escape hatch; `isolated-test polluter` probes): Vitest's own runner, untouched.
      if (process.env.ISOLATED_TEST !== undefined && isOff()) return { test: {} }
      if (config.test?.runner) {
        throw new TypeError(
          `isolatedTests(): the config sets its own test runner (${config.test.runner}); the plugin installs one too and cannot combine with it. Remove one of them.`,
        )
      }
      const root = resolve(process.cwd(), config.test?.root ?? config.root ?? '.')
      // One run id for every worker of this run, in the JSON Lines report.
      runId()
      return {
        test: {
          runner: fileURLToPath(new URL('./vitest-runner.js', import.meta.url)),
          // The child checks the test's line against the parent's.
          includeTaskLocation: true,
          provide: { [PROVIDE_KEY]: normalizePluginOptions(options, root) },
        },
      }
    },
    configureVitest({ vitest }) {
      if (process.env.ISOLATED_TEST !== undefined && isOff()) return
      // The report file as the workers see it: the option, else ISOLATED_TEST_REPORT (inherited).
      const report = checked.report ?? (process.env.ISOLATED_TEST_REPORT || undefined)
      if (report) addSummaryReporter(vitest, report, runId())
    },
  }
}
