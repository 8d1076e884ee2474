// Runs the packed package's bin (`node_modules/.bin/isolated-test`, installed from the tarball) in a
// polluter fixture project, and checks afterwards that no process group it started is left.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { expect } from 'vitest'
import { readPids, survivors } from '../helpers/processes.js'
import type { Answer as PolluterJson } from '../../src/cli/polluter/output.js'

export const fixture = (name: 'polluter-vitest' | 'polluter-jest'): string => join(repoRoot, 'fixtures', name)

export interface CliRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Every process group leader the CLI started (its pid log). */
  readonly groups: readonly number[]
  json<T = PolluterJson>(): T
}

// The shape --json prints: the CLI's own type, so the e2e reads what the code writes.
export type { Answer as PolluterJson, TestView } from '../../src/cli/polluter/output.js'
export type { LinkedChange } from '../../src/cli/polluter/rank.js'

export interface CliOptions {
  /** Called with each stderr chunk and the child; e.g. to send SIGINT after a progress line (a handshake). */
  readonly onStderr?: (all: string, child: import('node:child_process').ChildProcess) => void
  /** The Node binary that runs the bin (and so every runner process it starts); default: the shebang's (Node 20). */
  readonly node?: string
  /** Added to the CLI's environment. */
  readonly env?: NodeJS.ProcessEnv
}

/** `isolated-test <args>` from the project's root, on Node 20 unless `node` says (the CLI's runner processes use the same Node). */
export function runCli(project: string, args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const pidLog = join(mkdtempSync(join(tmpdir(), 'isolated-e2e-cli-')), 'pids')
  const bin = join(project, 'node_modules', '.bin', 'isolated-test')
  if (!existsSync(bin)) throw new Error(`${bin} is missing: the e2e global setup installs the packed package`)
  return new Promise((resolve, reject) => {
    // The bin itself, so its shebang is what starts Node (or the bin's file under the Node asked for).
    const child = spawn(options.node ?? bin, options.node ? [bin, ...args] : args, { cwd: project, env: { ...process.env, ...options.env, ISOLATED_TEST_PID_LOG: pidLog, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
      options.onStderr?.(stderr, child)
    })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout,
        stderr,
        groups: readPids(pidLog),
        json<T>() {
          try {
            return JSON.parse(stdout) as T
          } catch {
            throw new Error(`the CLI printed no JSON (exit ${code}):\n${stdout}\n${stderr}`)
          }
        },
      })
    })
  })
}

/**
 * The singleton search of a fixture (`file`: its singleton test file), interrupted with SIGINT once the
 * progress names probe `probe` (the handshake: the probes before it answered, so their processes
 * exist). `sent` says the signal went.
 */
export async function interruptedSearch(project: string, file: string, probe: number, node?: string): Promise<{ readonly run: CliRun; readonly sent: boolean }> {
  let sent = false
  const progress = new RegExp(`probe ${probe} of about`)
  const run = await runCli(project, ['polluter', file, '-t', 'starts with an empty registry', '--json', '--no-rank'], {
    ...(node !== undefined && { node }),
    onStderr: (all, child) => {
      if (!sent && progress.test(all)) {
        sent = true
        child.kill('SIGINT')
      }
    },
  })
  return { run, sent }
}

/** Processes whose process group is one of `groups` (the CLI's runner processes and everything they started). */
export function membersOf(groups: readonly number[]): number[] {
  const wanted = new Set(groups)
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // fields[0] is the state, fields[2] the process group; a zombie is dead.
      if (fields[0] !== 'Z' && wanted.has(Number(fields[2]))) found.push(Number(entry))
    } catch {
      // gone while we looked
    }
  }
  return found
}

/**
 * Runs the printed repro command as a user would from the project's root (`npx vitest …` is the
 * project's own bin: here Vitest is the repository's, so `npx X` runs `X` from the bins on PATH),
 * with the runner's JSON reporter added at the end, and returns the tests it ran.
 */
export function runRepro(project: string, command: string, jsonArgs: (out: string) => string): { fullName: string; status: string }[] {
  const out = join(mkdtempSync(join(tmpdir(), 'isolated-e2e-repro-')), 'out.json')
  const path = [join(project, 'node_modules', '.bin'), join(repoRoot, 'node_modules', '.bin'), process.env.PATH].join(':')
  // The env assignments before `npx` (ISOLATED_TEST=off, Jest's file order across files) stay.
  const shell = `${command.replace(/^((?:[A-Z_]+=(?:'[^']*'|\S+) )*)npx /, '$1')} ${jsonArgs(out)}`
  try {
    execFileSync('sh', ['-c', shell], { cwd: project, env: { ...process.env, PATH: path }, stdio: 'ignore' })
  } catch {
    // a failing victim: the command exits non-zero
  }
  const json = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: { fullName: string; status: string }[] }[] }
  return json.testResults
    .flatMap((f) => f.assertionResults)
    .filter((a) => a.status === 'passed' || a.status === 'failed')
    .map((a) => ({ fullName: a.fullName, status: a.status }))
}

/**
 * The fork-server prober's singleton search beside the same search with --fresh-probes (Node `node`):
 * the same polluter (`polluter`: full name and line), repro and probe count, each prober named, at
 * most ceil(log2 N) + 3 probes, a repro that fails the victim, and no process left by either run.
 */
export async function forksMatchFreshProbes(project: string, file: string, polluter: readonly [string, number], node: string, json: (out: string) => string): Promise<void> {
  const args = ['polluter', file, '-t', 'starts with an empty registry', '--json', '--no-rank']
  const [forks, fresh] = await Promise.all([runCli(project, args, { node }), runCli(project, [...args, '--fresh-probes'], { node })])
  expect(forks.code, forks.stderr).toBe(0)
  expect(fresh.code, fresh.stderr).toBe(0)
  const a = forks.json()
  const b = fresh.json()
  expect(a.prober, forks.stderr).toBe('fork-server')
  expect(b.prober).toBe('fresh')
  expect(forks.stderr).toContain("probes: forks of the file's zygote")
  expect(forks.stderr).not.toContain('fresh run')
  expect(fresh.stderr).toMatch(/probes: a fresh (vitest|jest) run each \(--fresh-probes\)/)
  expect(a.polluters.map((p) => [p.fullName, p.line])).toEqual([[...polluter]])
  expect(a.polluters).toEqual(b.polluters)
  expect(a.repro).toEqual(b.repro)
  // The same search over the same verdicts: the same probes.
  expect(a.probes).toBe(b.probes)
  expect(a.probes).toBeLessThanOrEqual(Math.ceil(Math.log2(a.candidates)) + 3)
  expect(runRepro(project, a.repro!.command, json)).toEqual([
    { fullName: polluter[0], status: 'passed' },
    { fullName: 'starts with an empty registry', status: 'failed' },
  ])
  // In the pid log and gone: the precondition runs, the probe server's run, its zygote and one fork per probe.
  expect(forks.groups.length).toBeGreaterThanOrEqual(a.preconditionRuns + 2 + a.probes)
  await expectNothingLeft(forks)
  await expectNothingLeft(fresh)
}

/** No process of any group the CLI's run started is left. */
export async function expectNothingLeft(run: CliRun): Promise<void> {
  expect(await survivors(run.groups)).toEqual([])
  // A member killed with its group can still be exiting (tearing down a copy of its zygote) when its
  // leader is gone: the same 2 s bound as survivors(), for the members too. CI once saw one mid-exit.
  let left = membersOf(run.groups)
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    left = membersOf(run.groups)
  }
  expect(left).toEqual([])
}

/**
 * Ctrl-C during the fork-server prober's second probe of the singleton search (the first answered, so
 * the probe server's run and its zygote are up): exit 130, the best answer so far, nothing left.
 */
export async function expectForkServerSearchInterrupted(project: string, file: string, node: string): Promise<void> {
  const { run, sent } = await interruptedSearch(project, file, 2, node)
  expect(sent).toBe(true)
  expect(run.code).toBe(130)
  const answer = run.json()
  expect(answer.status).toBe('interrupted')
  expect(answer.prober, run.stderr).toBe('fork-server')
  expect(answer.polluters.map((p) => p.fullName)).toContain('s7')
  // Four precondition runs, the probe server's run, its zygote and at least the first probe's fork.
  expect(run.groups.length).toBeGreaterThanOrEqual(7)
  await expectNothingLeft(run)
}
