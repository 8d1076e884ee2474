// Vitest 4.1/5: `vitest run` with the project's own config, a name filter (or `file:line` filters
// when full names repeat), the JSON reporter, and isolation off or on.
import { relative } from 'node:path'
import { IsolatedRunnerError } from '../errors.js'
import { runnerEnv } from './env.js'
import { readJsonResults } from './json-results.js'
import { anchoredAlternation, MATCH_NOTHING, repeatedNames, shellQuote } from './names.js'
import { findInstalled, versionAtLeast } from './package-bin.js'
import { runInGroup } from './spawn.js'
import { tempFile } from './temp.js'
import type { ListingRunner, Repro, RunResult, RunnerOptions, RunSpec, ServerRun, TestRef } from './types.js'
import { PROBE_SERVER_ENV } from '../../core/ipc/probe-server.js'
import { PROCESS_MODEL_ENV } from '../../core/parent/process-model.js'
import { userConfig, writeIsolatingConfig, writeOrderedConfig } from './vitest-config.js'

export function vitestRunner(options: RunnerOptions, listing: () => readonly TestRef[] = () => []): ListingRunner {
  const installed = findInstalled(options.root, 'vitest', 'vitest')
  if (!installed) throw new IsolatedRunnerError(`Vitest is not installed in ${options.root} (no vitest/package.json resolves from there). Run the command from the project's root, or pass --runner jest.`)
  if (!versionAtLeast(installed.version, 4, 1)) throw new IsolatedRunnerError(`Vitest ${installed.version} is installed; isolated-test needs Vitest 4.1 or later.`)
  let known = listing()
  let pinned: readonly string[] | undefined
  /** Each ordered config has a file of its own (runs may overlap). */
  let configs = 0
  const rel = (file: string): string => relative(options.root, file) || file
  const seedArgs = options.seed === undefined ? [] : [`--sequence.seed=${options.seed}`]

  /** `-t '^(?:…)$'`, or `file:line` for each test when a selected full name occurs twice in its file. */
  function selection(spec: Pick<RunSpec, 'files' | 'tests' | 'listOnly'>): string[] {
    if (spec.listOnly) return [...spec.files.map(rel), '-t', MATCH_NOTHING]
    if (!spec.tests) return spec.files.map(rel)
    const repeated = repeatedNames(known)
    if (spec.tests.some((t) => repeated.has(t.fullName) && t.line !== undefined)) return spec.tests.map((t) => `${rel(t.file)}:${t.line}`)
    return [...spec.files.map(rel), '-t', anchoredAlternation(spec.tests.map((t) => t.fullName))]
  }

  return {
    name: 'vitest',
    version: installed.version,
    root: options.root,
    setListing(l) {
      known = l
    },
    pinFileOrder(files) {
      pinned = files
    },
    async run(spec: RunSpec): Promise<RunResult> {
      const out = tempFile('vitest.json')
      const { file: config, rest } = userConfig(options.root, options.extraArgs)
      const wrapper = spec.isolated ? writeIsolatingConfig(options.root, config) : undefined
      // Across files (several, or the whole selection), one worker, files in a fixed order, no per-file module reset: the suite's own order.
      const across = spec.inBand && spec.files.length !== 1
      const inBand = across ? ['--no-isolate', '--no-file-parallelism', ...(options.seed === undefined ? ['--sequence.shuffle=false'] : [])] : []
      // The file order: recorded (the first run across files), then pinned (file-order.ts).
      const ordered = across && (pinned || spec.recordOrder) ? writeOrderedConfig(options.root, wrapper?.path ?? config, pinned ?? [], spec.recordOrder, `ordered-${++configs}`) : undefined
      const chosen = ordered?.path ?? wrapper?.path ?? config
      const args = [installed.bin, 'run', ...selection(spec), '--reporter=json', `--outputFile=${out}`, '--includeTaskLocation', ...inBand, ...seedArgs, ...(chosen ? ['--config', chosen] : []), ...rest]
      try {
        const ran = await runInGroup(process.execPath, args, { cwd: options.root, env: runnerEnv(options.env, spec.isolated, spec.report), signal: spec.signal })
        return readJsonResults(out, ran, 'Vitest')
      } finally {
        ordered?.remove()
        wrapper?.remove()
      }
    },
    async probeServer(file: string, socket: string, signal: AbortSignal): Promise<ServerRun> {
      const { file: config, rest } = userConfig(options.root, options.extraArgs)
      // The plugin on (each probe is a fork of the file's zygote); the fork server insisted on, not 'auto'.
      const wrapper = writeIsolatingConfig(options.root, config, 'probes')
      const env = { ...runnerEnv(options.env, true, undefined), [PROBE_SERVER_ENV]: socket, [PROCESS_MODEL_ENV]: 'fork-server' }
      const args = [installed.bin, 'run', rel(file), '--includeTaskLocation', ...seedArgs, '--config', wrapper.path, ...rest]
      try {
        const ran = await runInGroup(process.execPath, args, { cwd: options.root, env, signal })
        return { code: ran.code, stderr: ran.stderr }
      } finally {
        wrapper.remove()
      }
    },
    repro(tests: readonly TestRef[]): Repro {
      const files = [...new Set(tests.map((t) => t.file))]
      const sel = selection({ files, tests })
      const extra = [...(files.length > 1 ? ['--no-isolate', '--no-file-parallelism', ...(options.seed === undefined ? ['--sequence.shuffle=false'] : [])] : []), ...seedArgs, ...options.extraArgs]
      // ISOLATED_TEST=off: the project's config may isolate every test (the plugin), and isolated, the victim passes.
      const command = `ISOLATED_TEST=off ${['npx', 'vitest', 'run', ...sel, ...extra].map(shellQuote).join(' ')}`
      if (files.length < 2) return { command, exact: true }
      // No CLI flag sets Vitest's sequencer: the command cannot pin the files' order.
      return {
        command,
        exact: false,
        note: `Vitest orders the files itself (failed last time first, then the slowest, from its results cache; else the largest first), not as listed; the search ran them in this order: ${files.map(rel).join(', ')}. If the victim passes, Vitest ran them in another order.`,
      }
    },
  }
}
