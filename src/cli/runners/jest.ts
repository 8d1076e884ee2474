// Jest 29/30: the project's own config, `--runTestsByPath <file> -t '<regex>'` in band, the JSON
// reporter with locations, and isolation off or on. With isolation on, the project's own test
// environment goes through our environment's `environment` option; so does the probe server's run.
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { IsolatedRunnerError } from '../errors.js'
import { runnerEnv } from './env.js'
import { readJsonResults } from './json-results.js'
import { anchoredAlternation, MATCH_NOTHING, repeatedNames, shellQuote } from './names.js'
import { findInstalled, versionAtLeast } from './package-bin.js'
import { runInGroup } from './spawn.js'
import { tempFile } from './temp.js'
import type { ListingRunner, Repro, RunResult, RunnerOptions, RunSpec, ServerRun, TestRef } from './types.js'
import { BASE_SEQUENCER_ENV, FILE_ORDER_ENV, FILE_ORDER_OUT_ENV } from './file-order.js'
import { PROBE_SERVER_ENV } from '../../core/ipc/probe-server.js'
import { PROCESS_MODEL_ENV } from '../../core/parent/process-model.js'

interface ShownConfig {
  configs?: { testEnvironment?: string; testEnvironmentOptions?: Record<string, unknown> }[]
  globalConfig?: { testSequencer?: string }
}

/** Our sequencer for runs across files (dist/jest-sequencer.cjs, beside the CLI's dist/cli.js). */
const SEQUENCER = fileURLToPath(new URL('./jest-sequencer.cjs', import.meta.url))

/** Ours: `isolated-test/jest` resolves to …/isolated-test/dist/jest.cjs. */
const isOurEnvironment = (env: string | undefined): boolean => env !== undefined && /isolated-test[\\/]dist[\\/]jest\.cjs$|^isolated-test\/jest$/.test(env)

export function jestRunner(options: RunnerOptions): ListingRunner {
  const installed = findInstalled(options.root, 'jest', 'jest')
  if (!installed) throw new IsolatedRunnerError(`Jest is not installed in ${options.root} (no jest/package.json resolves from there). Run the command from the project's root, or pass --runner vitest.`)
  if (!versionAtLeast(installed.version, 29)) throw new IsolatedRunnerError(`Jest ${installed.version} is installed; isolated-test needs Jest 29 or later.`)
  let known: readonly TestRef[] = []
  let pinned: readonly string[] | undefined
  let shown: Promise<ShownConfig> | undefined
  /** The environment flags of a run with isolation off, once known (the repro carries them). */
  let offEnvironment: string[] = []
  const rel = (file: string): string => relative(options.root, file) || file
  const seedArgs = options.seed === undefined ? [] : ['--randomize', `--seed=${options.seed}`]
  const env = (spec: Pick<RunSpec, 'isolated' | 'report'>): NodeJS.ProcessEnv => runnerEnv(options.env, spec.isolated, spec.report)

  function showConfig(): Promise<ShownConfig> {
    shown ??= runInGroup(process.execPath, [installed!.bin, '--showConfig', ...options.extraArgs], { cwd: options.root, env: env({ isolated: false, report: undefined }) }).then((ran) => {
      try {
        return JSON.parse(ran.stdout) as ShownConfig
      } catch {
        throw new IsolatedRunnerError(`jest --showConfig did not print a config (exit code ${ran.code}):\n${ran.stderr.trim().split('\n').slice(-15).join('\n')}`)
      }
    })
    return shown
  }

  /** The environment flags for this run: ours on with the project's environment inside, or the project's own with ours off. */
  async function environmentArgs(isolated: boolean): Promise<string[]> {
    const config = (await showConfig()).configs?.[0] ?? {}
    const own = config.testEnvironment
    const envOptions = config.testEnvironmentOptions ?? {}
    const ours = (envOptions.isolated ?? {}) as Record<string, unknown>
    if (isOurEnvironment(own)) {
      // With ISOLATED_TEST=off our environment is jest-environment-node; the file's own environment is the `environment` option.
      if (isolated) return []
      offEnvironment = typeof ours.environment === 'string' && ours.environment !== 'node' ? [`--testEnvironment=${ours.environment}`] : []
      return offEnvironment
    }
    if (!isolated) return []
    return ['--testEnvironment=isolated-test/jest', `--testEnvironmentOptions=${JSON.stringify({ ...envOptions, isolated: { ...ours, environment: own ?? 'node' } })}`]
  }

  function selection(spec: Pick<RunSpec, 'files' | 'tests' | 'listOnly'>): string[] {
    const files = spec.files.length ? ['--runTestsByPath', ...spec.files.map(rel)] : []
    if (spec.listOnly) return [...files, '-t', MATCH_NOTHING]
    if (!spec.tests) return files
    return [...files, '-t', anchoredAlternation(spec.tests.map((t) => t.fullName))]
  }

  return {
    name: 'jest',
    version: installed.version,
    root: options.root,
    setListing(l) {
      known = l
    },
    pinFileOrder(files) {
      pinned = files
    },
    async run(spec: RunSpec): Promise<RunResult> {
      const out = tempFile('jest.json')
      // Across files in band: our sequencer around the project's records the file order, then pins it (file-order.ts).
      const ordered = spec.inBand && spec.files.length !== 1 && (pinned !== undefined || spec.recordOrder !== undefined)
      const base = ordered ? (await showConfig()).globalConfig?.testSequencer : undefined
      const orderEnv = ordered ? { [FILE_ORDER_ENV]: JSON.stringify(pinned ?? []), ...(spec.recordOrder && { [FILE_ORDER_OUT_ENV]: spec.recordOrder }), ...(base && base !== SEQUENCER && { [BASE_SEQUENCER_ENV]: base }) } : {}
      const args = [installed.bin, ...selection(spec), '--json', `--outputFile=${out}`, '--testLocationInResults', '--ci', ...(spec.inBand ? ['--runInBand'] : []), ...(ordered ? [`--testSequencer=${SEQUENCER}`] : []), ...seedArgs, ...(await environmentArgs(spec.isolated)), ...options.extraArgs]
      const ran = await runInGroup(process.execPath, args, { cwd: options.root, env: { ...env(spec), ...orderEnv }, signal: spec.signal })
      return readJsonResults(out, ran, 'Jest')
    },
    async probeServer(file: string, socket: string, signal: AbortSignal): Promise<ServerRun> {
      // Our environment on (each probe is a fork of the file's zygote), the fork server insisted on; --ci:
      // a probe writes no snapshot, and every test is skipped at the end, so none is obsolete either.
      const env = { ...runnerEnv(options.env, true, undefined), [PROBE_SERVER_ENV]: socket, [PROCESS_MODEL_ENV]: 'fork-server' }
      const args = [installed.bin, '--runTestsByPath', rel(file), '--ci', '--runInBand', ...seedArgs, ...(await environmentArgs(true)), ...options.extraArgs]
      const ran = await runInGroup(process.execPath, args, { cwd: options.root, env, signal })
      return { code: ran.code, stderr: ran.stderr }
    },
    repro(tests: readonly TestRef[]): Repro {
      const files = [...new Set(tests.map((t) => t.file))]
      const repeated = repeatedNames(known)
      const dup = tests.filter((t) => repeated.has(t.fullName)).map((t) => t.fullName)
      // ISOLATED_TEST=off: under isolated-test/jest every test is isolated, and isolated, the victim passes.
      // Several files: in band, in the search's order, by our sequencer (the order in an env var, paths from the project's root).
      const across = files.length > 1
      const orderEnv = across ? [`${FILE_ORDER_ENV}=${shellQuote(JSON.stringify(files.map(rel)))}`] : []
      const sequencerPath = relative(options.root, SEQUENCER)
      const sequencer = across ? ['--runInBand', `--testSequencer=${sequencerPath.startsWith('..') ? SEQUENCER : `./${sequencerPath}`}`] : []
      const command = ['ISOLATED_TEST=off', ...orderEnv, ...['npx', 'jest', ...files.map(rel), '-t', anchoredAlternation(tests.map((t) => t.fullName)), ...sequencer, ...seedArgs, ...offEnvironment, ...options.extraArgs].map(shellQuote)].join(' ')
      const notes = dup.length ? [`Jest's -t cannot tell tests with the same full name apart: this command also runs every other test named ${[...new Set(dup)].map((n) => JSON.stringify(n)).join(', ')}.`] : []
      return notes.length ? { command, exact: false, note: notes.join(' ') } : { command, exact: true }
    },
  }
}
