// Every failure we raise ourselves. Each says what happened and how to fix it; a symbol brand works
// across realms (Jest sandboxes, a second copy of this package) where `instanceof` does not.
import type { Method } from './options.js'

const BRAND = Symbol.for('isolated-test.error')

export interface StuckFrame {
  readonly functionName: string
  readonly file: string
  readonly line: number
  readonly column: number
}

export class IsolatedTestError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }
  override get name(): string {
    return this.constructor.name
  }
}

/** Our own errors get a stack at the user's code (reporters show a code frame there), not at ours. */
export function pointAtUserCode(error: unknown, at: { readonly file: string; readonly line: number; readonly column: number } | undefined): unknown {
  if (!at || !isIsolatedTestError(error)) return error
  if ((error as { frames?: readonly unknown[] }).frames?.length) return error
  error.stack = `${error.name}: ${error.message}\n    at ${at.file}:${at.line}:${at.column}`
  return error
}

/** Marks an error rebuilt from another process as ours again (the symbol does not cross). */
export function rebrand(error: object): void {
  if (/^Isolated[A-Za-z]*Error$/.test(String((error as { name?: unknown }).name)) && /^ISOLATED_/.test(String((error as { code?: unknown }).code))) {
    Object.defineProperty(error, BRAND, { value: true })
  }
}

/** True for any error raised by isolated-test, in any realm. */
export function isIsolatedTestError(value: unknown): value is IsolatedTestError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

export function formatFrames(frames: readonly StuckFrame[]): string {
  return frames.map((f) => `    at ${f.functionName || '<anonymous>'} (${f.file}:${f.line}:${f.column})`).join('\n')
}

export interface TimeoutDetails {
  readonly limit: number
  readonly method: Method
  readonly elapsed: number
  /**
   * 'busy': paused on the stuck line; 'idle': waiting on the event loop; 'native': blocked in native
   * code; 'writing': blocked writing output nobody reads fast enough; 'late': the phase finished, but
   * after its limit; 'unknown': no answer.
   */
  readonly state: 'busy' | 'idle' | 'native' | 'writing' | 'late' | 'unknown'
  readonly frames: readonly StuckFrame[]
  readonly resources: readonly string[]
  /** With `asyncOrigins`: where pending promises and resources were created. */
  readonly origins: readonly string[]
  /** Live worker threads of the child, with where each was stuck when it could be paused. */
  readonly workers?: readonly string[]
  readonly forced: boolean
  readonly setting: string
  readonly phase: string
  /** The limit was cut short by the framework's own timer for the test: its setting, and the limit asked for. */
  readonly cut?: { readonly by: string; readonly asked: number } | undefined
  /** The time was not the test's own: the framework's and our work between phases (or boot). */
  readonly ours?: boolean
}

function whereStuck(d: TimeoutDetails): string {
  const workers = d.workers && d.workers.length > 0 ? `\nIts worker threads:\n${d.workers.map((w) => `    ${w}`).join('\n')}` : ''
  switch (d.state) {
    case 'busy':
      return d.frames.length > 0 ? `It was busy at:\n${formatFrames(d.frames)}${workers}` : `It was busy, outside any code of yours that could be shown.${workers}`
    case 'idle':
      return `It was idle, waiting on: ${d.resources.length > 0 ? d.resources.join(', ') : d.workers && d.workers.length > 0 ? 'its worker threads' : 'nothing the event loop tracks (a promise that never settles)'}.${workers}${
        d.origins.length > 0 ? `\nPending, by where it was created:\n${d.origins.map((o) => `    ${o}`).join('\n')}` : '\nTo see where its pending promises were created, set the `asyncOrigins: true` option.'
      }`
    case 'native':
      return `It did not answer the pause request: it was blocked in native code (Atomics.wait, execSync, a native addon), so no JS frame can be shown.${workers}`
    case 'writing':
      return `It was blocked writing output (more than the pipe holds, faster than it was read).${d.frames.length > 0 ? `\n${formatFrames(d.frames)}` : ''}${workers}`
    case 'late':
      return 'It finished, but only after its limit had passed.'
    default:
      return `Where it was stuck could not be captured.${workers}`
  }
}

export class IsolatedTimeoutError extends IsolatedTestError {
  readonly limit: number
  readonly method: Method
  readonly elapsed: number
  readonly state: TimeoutDetails['state']
  readonly frames: readonly StuckFrame[]
  readonly resources: readonly string[]
  readonly forced: boolean
  readonly phase: string
  constructor(d: TimeoutDetails) {
    const killed = `the child's process tree was killed${d.forced ? ' (it ignored the first signal and needed SIGKILL)' : ''}`
    const raiseFramework = d.cut ? d.cut.by.replace(/ \(now \d+ ms\)$/, '') : ''
    const head = d.ours
      ? d.cut
        ? `${d.phase} took more than the ${d.limit} ms that ${d.cut.by} left for it, counting from the test's start (${Math.round(d.elapsed)} ms elapsed, method '${d.method}'); ${killed}. This was not the test's own code but starting the child and the framework's and isolated-test's work around it.\nTo give the test more time, raise ${raiseFramework}.`
        : `${d.phase} took more than ${d.limit} ms (${Math.round(d.elapsed)} ms elapsed, method '${d.method}'); ${killed}. This was not the test's own code: it is isolated-test's and the framework's work around it. Raise \`bootTimeout\` if your machine is this slow, or report it.`
      : d.cut
        ? `The ${d.phase} was stopped after ${d.limit} ms, short of the ${Number.isFinite(d.cut.asked) ? `${d.cut.asked} ms it may use` : 'no limit it asked for'}, because ${d.cut.by} fires next and counts from the test's start (method '${d.method}', ${Math.round(d.elapsed)} ms elapsed); ${killed}.\nTo give it its full time, raise ${raiseFramework}.`
        : `The ${d.phase} timed out after ${d.limit} ms (method '${d.method}', ${Math.round(d.elapsed)} ms elapsed); ${killed}.\nIf it needs more time, raise the limit: ${d.setting}.`
    super('ISOLATED_TIMEOUT', `${head}\n${whereStuck(d)}`)
    // The stack is where the child was stuck (the message ends with those frames), so reporters put
    // their code frame on the stuck line.
    if (d.frames.length > 0) this.stack = `${this.name}: ${this.message}`
    this.limit = d.limit
    this.method = d.method
    this.elapsed = d.elapsed
    this.state = d.state
    this.frames = d.frames
    this.resources = d.resources
    this.forced = d.forced
    this.phase = d.phase
  }
}

export class IsolatedBootError extends IsolatedTestError {
  readonly bootTimeout: number
  constructor(message: string, bootTimeout: number, stderrTail: string, cause?: unknown) {
    super(
      'ISOLATED_BOOT',
      `${message}${stderrTail ? `\nLast lines of the child's stderr:\n${stderrTail}` : ''}`,
      cause === undefined ? undefined : { cause },
    )
    this.bootTimeout = bootTimeout
  }
}

export class IsolatedCrashError extends IsolatedTestError {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderrTail: string
  constructor(exitCode: number | null, signal: NodeJS.Signals | null, stderrTail: string, context: string) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`
    const hint =
      signal === 'SIGKILL'
        ? ' A SIGKILL nobody sent from here is often the out-of-memory killer.'
        : /heap out of memory|Allocation failed/i.test(stderrTail)
          ? " It ran out of memory: V8's heap reached its cap (JavaScript heap out of memory). Fix the leak, or raise --max-old-space-size through the `execArgv` option; set `memoryLimit` to bound the test's whole process tree and have it named with its peak."
          : ''
    super(
      'ISOLATED_CRASH',
      `The child process ${how} ${context}.${hint}${stderrTail ? `\nLast lines of its stderr:\n${stderrTail}` : ''}`,
    )
    this.exitCode = exitCode
    this.signal = signal
    this.stderrTail = stderrTail
  }
}

export class IsolatedSerializationError extends IsolatedTestError {
  readonly path: string
  constructor(path: string, reason: string) {
    super('ISOLATED_SERIALIZATION', `${path}: ${reason}. Only values that structured clone can copy cross the process boundary; return or pass plain data instead.`)
    this.path = path
  }
}

/** The child found a different test at the id the parent sent: never run a different body. */
export class IsolatedMismatchError extends IsolatedTestError {
  constructor(message: string) {
    super('ISOLATED_MISMATCH', `${message} The test module must register the same tests in the same order in every process; make registration independent of run-time state (random names, env-dependent tests).`)
  }
}

/** Our limit does not fit inside the framework's own timer, or the setup is not supported. */
export class IsolatedConfigError extends IsolatedTestError {
  constructor(message: string) {
    super('ISOLATED_CONFIG', message)
  }
}

/** `leaks: 'error'`: the test changed state that other code of its file relies on, and the change was lost. */
export class IsolatedLeakError extends IsolatedTestError {
  constructor(details: string) {
    super(
      'ISOLATED_LEAK',
      `This test changed state that other code of its file relies on, or left resources open; in its own process those changes are lost to the parent and to the tests after it.\n${details}\nMove the change into a hook (with hooks: 'child' each child runs it), make each test set up what it needs, or set leaks: 'warn' (or ignoreLeaks) to accept it.`,
    )
  }
}

/** What enforced a memory limit: our /proc sampler, V8's own heap cap, or the kernel (a cgroup v2). */
export type MemoryMechanism = 'sampler' | 'v8-heap' | 'cgroup'

export interface MemoryDetails {
  /** The test's full name (a wrapped function called with arguments has none). */
  readonly test: string | undefined
  /** The `memoryLimit`, MB. */
  readonly limitMb: number
  /** The most the tree was seen to hold, MB (it may pass the limit by what was allocated within one sampling period). */
  readonly peakMb: number
  /** The process of the tree that held the most at that peak. */
  readonly largest: { readonly pid: number; readonly command: string; readonly mb: number }
  /** Every process of the tree at the peak, largest first. */
  readonly processes: readonly { readonly pid: number; readonly command: string; readonly mb: number }[]
  /**
   * What enforced the limit: 'sampler' (/proc, every `periodMs`); 'v8-heap' (V8's heap cap: the child
   * crashed with V8's out-of-memory error before the sampler saw the tree pass the limit); 'cgroup'
   * (the kernel, through the child's cgroup v2 memory.max).
   */
  readonly mechanism: MemoryMechanism
  readonly periodMs: number
  /** 'v8-heap': V8's cap on the child's heap (MB; undefined: V8's default) and who set it, and the heap at the crash. */
  readonly heap?: { readonly capMb: number | undefined; readonly by: 'memoryLimit' | 'user' | 'default'; readonly atCrashMb: number | undefined } | undefined
  readonly method: Method
  /** The phase it was in ('test body', 'beforeEach hook', 'boot'...). */
  readonly phase: string
  readonly forced: boolean
}

/** At most 8 lines; a command over 160 characters keeps its start and its end (the script). */
function formatProcesses(list: MemoryDetails['processes']): string {
  const cut = (c: string): string => (c.length > 160 ? `${c.slice(0, 80)} … ${c.slice(-77)}` : c || '(no command line)')
  const shown = list.slice(0, 8).map((p) => `    pid ${p.pid} (${p.mb} MB): ${cut(p.command)}`)
  if (list.length > 8) shown.push(`    … and ${list.length - 8} more`)
  return shown.join('\n')
}

function enforcedBy(d: MemoryDetails): string {
  switch (d.mechanism) {
    case 'cgroup':
      return `Enforced by the kernel: the child's own cgroup v2 (memory.max = ${d.limitMb} MB, no swap, memory.oom.group = 1), which counts every process of its tree with no sampling gap; memory.events recorded the out-of-memory kill, and the peak is memory.peak.`
    case 'v8-heap': {
      const h = d.heap
      const cap = h?.capMb === undefined ? "V8's default heap cap" : `V8's heap cap (--max-old-space-size=${h.capMb})`
      const who = h?.by === 'user' ? ', which your execArgv or NODE_OPTIONS set' : h?.by === 'memoryLimit' ? ', set from memoryLimit (the limit + 25% + 64 MB)' : ''
      return `Enforced by ${cap}${who}: the child crashed with V8's "JavaScript heap out of memory" before the sampler (every ${d.periodMs} ms, the whole tree) saw the tree pass the limit.`
    }
    default:
      return `Enforced by the sampler (the tree's memory read from /proc every ${d.periodMs} ms: a forked child's private memory, the RSS of processes that exec'd).`
  }
}

function howToRaise(d: MemoryDetails): string {
  const suggested = Math.ceil((Math.max(d.peakMb, d.limitMb) * 1.5) / 50) * 50
  const option = `the \`memoryLimit\` option (now ${d.limitMb} MB), e.g. isolated({ memoryLimit: ${suggested} })`
  if (d.mechanism === 'v8-heap' && d.heap?.by === 'user') return `If it needs more memory, raise your --max-old-space-size (now ${d.heap.capMb} MB) and, if need be, ${option}.`
  if (d.mechanism === 'v8-heap' && d.heap?.by === 'memoryLimit') return `If it needs more memory, raise the limit (the heap cap follows it): ${option}.`
  return `If it needs more memory, raise the limit: ${option}.`
}

/** `memoryLimit`: the child's process tree held more memory than the limit, and was killed. */
export class IsolatedMemoryError extends IsolatedTestError {
  readonly limitMb: number
  readonly peakMb: number
  readonly largest: MemoryDetails['largest']
  readonly mechanism: MemoryMechanism
  readonly method: Method
  readonly phase: string
  readonly test: string | undefined
  readonly processes: MemoryDetails['processes']
  constructor(d: MemoryDetails) {
    const killed = `the child's process tree was killed${d.forced ? ' (it ignored the first signal and needed SIGKILL)' : ''}`
    const who = d.test === undefined ? 'The isolated call' : `The test "${d.test}"`
    const count = `${d.processes.length} process${d.processes.length === 1 ? '' : 'es'}`
    const head =
      d.mechanism === 'v8-heap'
        ? `${who} ran out of memory under its limit of ${d.limitMb} MB during the ${d.phase}: its V8 heap reached its cap${d.heap?.atCrashMb === undefined ? '' : ` at ${d.heap.atCrashMb} MB`} and the child crashed with V8's out-of-memory error (method '${d.method}'); the peak seen was ${d.peakMb} MB; the rest of its process tree was killed.`
        : `${who} used more memory than its limit of ${d.limitMb} MB during the ${d.phase}: its process tree (${count}) reached ${d.peakMb} MB (method '${d.method}'); ${killed}.`
    super(
      'ISOLATED_MEMORY',
      `${head}\n` +
        `The most was held by pid ${d.largest.pid} (${d.largest.mb} MB): ${d.largest.command || '(no command line)'}\n` +
        (d.processes.length > 1 ? `Its processes at the peak, largest first:\n${formatProcesses(d.processes)}\n` : '') +
        `${enforcedBy(d)}\n${howToRaise(d)}`,
    )
    this.limitMb = d.limitMb
    this.peakMb = d.peakMb
    this.largest = d.largest
    this.mechanism = d.mechanism
    this.method = d.method
    this.phase = d.phase
    this.test = d.test
    this.processes = d.processes
  }
}

export interface CpuDetails {
  /** The test's full name (a wrapped function called with arguments has none). */
  readonly test: string | undefined
  /** The `cpuLimit`, ms. */
  readonly limitMs: number
  /** CPU time (user + system) the tree had used when the sampler saw it pass the limit, ms. */
  readonly usedMs: number
  /** The process of the tree that used the most. */
  readonly largest: { readonly pid: number; readonly command: string; readonly ms: number }
  /** Every process of the tree then, most first. */
  readonly processes: readonly { readonly pid: number; readonly command: string; readonly ms: number }[]
  readonly periodMs: number
  readonly method: Method
  readonly phase: string
  readonly forced: boolean
}

/** `cpuLimit`: the child's process tree used more CPU time than the limit, and was killed. */
export class IsolatedCpuError extends IsolatedTestError {
  readonly limitMs: number
  readonly usedMs: number
  readonly largest: CpuDetails['largest']
  readonly processes: CpuDetails['processes']
  readonly method: Method
  readonly phase: string
  readonly test: string | undefined
  constructor(d: CpuDetails) {
    const killed = `the child's process tree was killed${d.forced ? ' (it ignored the first signal and needed SIGKILL)' : ''}`
    const who = d.test === undefined ? 'The isolated call' : `The test "${d.test}"`
    const count = `${d.processes.length} process${d.processes.length === 1 ? '' : 'es'}`
    const list = d.processes
      .slice(0, 8)
      .map((p) => `    pid ${p.pid} (${p.ms} ms): ${p.command.length > 160 ? `${p.command.slice(0, 80)} … ${p.command.slice(-77)}` : p.command || '(no command line)'}`)
    super(
      'ISOLATED_CPU',
      `${who} used more CPU time than its limit of ${d.limitMs} ms during the ${d.phase}: its process tree (${count}) had used ${d.usedMs} ms of CPU, user + system (method '${d.method}'); ${killed}.\n` +
        `The most was used by pid ${d.largest.pid} (${d.largest.ms} ms): ${d.largest.command || '(no command line)'}\n` +
        (d.processes.length > 1 ? `Its processes, most first:\n${list.join('\n')}${d.processes.length > 8 ? `\n    … and ${d.processes.length - 8} more` : ''}\n` : '') +
        `Enforced by the sampler (the CPU time of every process of the tree, and of the children they waited for, read from /proc every ${d.periodMs} ms; a fresh child's own start-up counts, a fork counts from the fork).\n` +
        `If it needs more CPU time, raise the limit: the \`cpuLimit\` option (now ${d.limitMs} ms), e.g. isolated({ cpuLimit: ${Math.ceil((Math.max(d.usedMs, d.limitMs) * 2) / 1000) * 1000} }).`,
    )
    this.limitMs = d.limitMs
    this.usedMs = d.usedMs
    this.largest = d.largest
    this.processes = d.processes
    this.method = d.method
    this.phase = d.phase
    this.test = d.test
  }
}

/**
 * Not an error: the once-per-file warning for a comment that looks like an `@isolated-test` pragma but
 * is not used. One line, naming the file and quoting the comment.
 */
export function unusedPragmaWarning(file: string, line: number, comment: string, more: number): string {
  const quoted = comment.length > 160 ? `${comment.slice(0, 157)}...` : comment
  return `isolated-test: ${file}:${line}: this comment looks like an @isolated-test pragma but is not used: ${quoted}${more > 0 ? ` (and ${more} more such comment${more > 1 ? 's' : ''})` : ''}. A pragma counts only as "@isolated-test {json}" at the start of a comment line, in a comment before the file's first statement.`
}
