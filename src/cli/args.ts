// The command line: `polluter` and `compare`, their flags, and errors that name the option, the value
// and what is allowed (exit code 2).
import { IsolatedUsageError } from './errors.js'
import type { RunnerName } from './runners/detect.js'

export interface PolluterArgs {
  readonly command: 'polluter'
  readonly file: string
  readonly line: number | undefined
  readonly name: string
  readonly runner: RunnerName | undefined
  readonly seed: number | undefined
  readonly json: boolean
  readonly rank: RankMode
  /** Every probe a fresh runner process, even where forks of the file's zygote could serve them. */
  readonly freshProbes: boolean
  readonly extraArgs: string[]
}

/** When to make the isolated state run: before the search (ranking), after it (the linking state only), never. */
export type RankMode = 'auto' | 'always' | 'never'

export interface CompareArgs {
  readonly command: 'compare'
  readonly runner: RunnerName | undefined
  readonly json: boolean
  readonly extraArgs: string[]
}

export type Args = PolluterArgs | CompareArgs | { readonly command: 'help' } | { readonly command: 'version' }

const describe = (v: string | undefined): string => (v === undefined ? 'nothing' : JSON.stringify(v))

function runnerOf(value: string | undefined): RunnerName {
  if (value === 'vitest' || value === 'jest') return value
  throw new IsolatedUsageError(`--runner must be 'vitest' or 'jest', got ${describe(value)}.`)
}

function seedOf(value: string | undefined): number {
  const n = value === undefined || !/^-?\d+$/.test(value) ? Number.NaN : Number(value)
  if (!Number.isSafeInteger(n)) throw new IsolatedUsageError(`--seed must be an integer (the seed of the failing run), got ${describe(value)}.`)
  return n
}

/** `--flag value` or `--flag=value`. */
function takeValue(argv: readonly string[], i: number, flag: string): { value: string | undefined; next: number } {
  const arg = argv[i] as string
  const eq = arg.indexOf('=')
  if (arg.startsWith('--') && eq > 0) return { value: arg.slice(eq + 1), next: i }
  const value = argv[i + 1]
  if (value === undefined || (value.startsWith('-') && value !== '-' && flag !== '--seed')) throw new IsolatedUsageError(`${flag} needs a value, got ${describe(value)}.`)
  return { value, next: i + 1 }
}

export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' }
  if (command === '--version' || command === '-v') return { command: 'version' }
  if (command !== 'polluter' && command !== 'compare') throw new IsolatedUsageError(`Unknown command ${describe(command)}: the commands are 'polluter' and 'compare' (isolated-test --help).`)
  let runner: RunnerName | undefined
  let seed: number | undefined
  let name: string | undefined
  let json = false
  let rank: RankMode = 'auto'
  let freshProbes = false
  const positional: string[] = []
  const extraArgs: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    const flag = arg.startsWith('--') ? arg.split('=')[0] : arg
    if (arg === '--') {
      extraArgs.push(...rest.slice(i + 1))
      break
    } else if (flag === '--runner') {
      const { value, next } = takeValue(rest, i, '--runner')
      runner = runnerOf(value)
      i = next
    } else if (flag === '--json') {
      json = true
    } else if (arg === '--help' || arg === '-h') {
      return { command: 'help' }
    } else if (command === 'polluter' && (flag === '-t' || flag === '--test-name-pattern' || flag === '--name')) {
      const { value, next } = takeValue(rest, i, '-t')
      name = value
      i = next
    } else if (command === 'polluter' && flag === '--seed') {
      const { value, next } = takeValue(rest, i, '--seed')
      seed = seedOf(value)
      i = next
    } else if (command === 'polluter' && flag === '--no-rank') {
      rank = 'never'
    } else if (command === 'polluter' && flag === '--fresh-probes') {
      freshProbes = true
    } else if (command === 'polluter' && flag === '--rank') {
      rank = 'always'
    } else if (command === 'polluter' && arg.startsWith('-')) {
      throw new IsolatedUsageError(`Unknown option ${describe(arg)} for polluter: the options are -t, --runner, --seed, --json, --rank, --no-rank, --fresh-probes; runner options go after --.`)
    } else if (command === 'polluter') {
      positional.push(arg)
    } else {
      // compare: anything else goes to the runner
      extraArgs.push(arg)
    }
  }
  if (command === 'compare') return { command, runner, json, extraArgs }
  if (positional.length !== 1) throw new IsolatedUsageError(`polluter needs exactly one test file (the victim's), got ${positional.length === 0 ? 'none' : positional.map((p) => JSON.stringify(p)).join(', ')}. Usage: isolated-test polluter <test-file> -t "<full test name>".`)
  if (name === undefined || name === '') throw new IsolatedUsageError(`polluter needs the victim's full name: -t "<full test name>" (as the runner's JSON reporter prints it), got ${describe(name)}.`)
  const target = positional[0] as string
  const at = /^(.*):(\d+)$/.exec(target)
  return { command, file: at ? (at[1] as string) : target, line: at ? Number(at[2]) : undefined, name, runner, seed, json, rank, freshProbes, extraArgs }
}

export const HELP = `isolated-test: find the test that pollutes another, and the tests whose verdict depends on the order.

  isolated-test polluter <test-file>[:line] -t "<full test name>" [options] [-- <runner args>]
      Names the earlier test(s) that make the victim fail: checks that the victim passes alone and
      fails after the tests before it (each twice), ranks the earlier tests by the state report,
      bisects, and prints the polluter(s), the state that links them to the victim, and a command
      that reproduces the failure.
      -t, --name <full name>   the victim's full name, as the runner's JSON reporter prints it
      --runner vitest|jest     default: detected from the project
      --seed <n>               the failing run's seed (Vitest sequence.seed, Jest --randomize --seed)
      --rank                   rank by the state report first, however many earlier tests
                               (default: when there are at most 24; else the state report
                               is collected for the polluters only, after the search)
      --no-rank                no isolated run at all (no state report in the answer)
      --fresh-probes           every probe a fresh runner process (default with Vitest on
                               Linux x64 and Node 22+: each probe is a fork of the file's
                               zygote, served by one run of the file)
      --json                   print the answer as one JSON object
      <test-file>:<line>       when several tests share the full name

  isolated-test compare [--runner vitest|jest] [--json] [<runner args>]
      Runs the suite with isolation off and with every test isolated, reruns the tests whose
      verdicts differ, and lists them with the state report that explains them.

  Exit codes: 0 found / no difference; 1 not found, flaky, or differences found (compare);
  2 a usage error or a precondition that does not hold; 130 interrupted (Ctrl-C).
`
