// The state report: what did not cross the process boundary, in three parts, and its readable form.
import { relative, isAbsolute } from 'node:path'
import type { ApplyResult, CapturedVariable } from './closure.js'
import { diffSnapshots, type DiffEntry } from './diff.js'
import type { StateWhere } from './ignored.js'
import type { StateSnapshot } from './snapshot.js'


export interface StateReport {
  /** What the parent had at call time that the child lacks or has differently. */
  readonly parentToChild: readonly DiffEntry[]
  /** What the body changed in the child: lost to the parent and to the tests after it. */
  readonly childToParent: readonly DiffEntry[]
  /** Timers, sockets, servers, processes and listeners the body started and did not end. */
  readonly leftOpen: readonly DiffEntry[]
}

export interface ReportInput {
  /** The parent's snapshot at call time. Absent: no parent → child part. */
  readonly parent?: StateSnapshot
  /** The child's when the body started (after import; after the env, cwd and globals carry). */
  readonly childBefore: StateSnapshot
  /** The child's at the body's first statement, when hooks ran in the child before it; the body's own changes are judged from here. */
  readonly bodyStart?: StateSnapshot | undefined
  /** The child's when the body settled. */
  readonly childAfter: StateSnapshot
  /** What `applyCapturedVariables` carried into the body's scopes, and what it could not. */
  readonly carry?: Pick<ApplyResult<unknown>, 'applied' | 'notApplied'>
}

const STATE: readonly StateWhere[] = ['env', 'cwd', 'global', 'module', 'closure']

function sameVariable(a: { name: string; depth: number }, b: { name: string; depth: number }): boolean {
  return a.name === b.name && a.depth === b.depth
}

/** The child's snapshot as the body saw it at its first statement: carried variables hold the parent's values. */
function afterCarry(child: StateSnapshot, parent: StateSnapshot | undefined, carry: ReportInput['carry']): StateSnapshot {
  if (!child.captured || !parent?.captured || !carry?.applied.length) return child
  const fromParent = parent.captured.variables
  const variables = child.captured.variables.map((v): CapturedVariable => {
    const carried = carry.applied.some((a) => sameVariable(a, v)) ? fromParent.find((p) => sameVariable(p, v)) : undefined
    return carried ? { ...v, value: carried.value } : v
  })
  return { ...child, captured: { ...child.captured, variables } }
}

function grew(entry: DiffEntry, before: StateSnapshot, after: StateSnapshot): boolean {
  if (entry.where === 'resource') return (after.resources[entry.name] ?? 0) > (before.resources[entry.name] ?? 0)
  return (after.listeners[entry.name]?.length ?? 0) > (before.listeners[entry.name]?.length ?? 0)
}

/** Splits the differences between the three snapshots into the report's three parts. */
export function buildReport(input: ReportInput): StateReport {
  const bodyStart = afterCarry(input.childBefore, input.parent, input.carry)
  const notCarried = (e: DiffEntry): DiffEntry => {
    const miss = input.carry?.notApplied.find((n) => n.name === e.name && (e.where === 'module' || e.where === 'closure'))
    return miss ? { ...e, note: `not carried: ${miss.reason}` } : e
  }
  const bodyFrom = input.bodyStart ? afterCarry(input.bodyStart, input.parent, input.carry) : bodyStart
  const inBody = diffSnapshots(bodyFrom, input.childAfter)
  return {
    parentToChild: input.parent ? diffSnapshots(input.parent, bodyStart).filter((e) => STATE.includes(e.where)).map(notCarried) : [],
    childToParent: inBody.filter((e) => STATE.includes(e.where)),
    leftOpen: inBody.filter((e) => !STATE.includes(e.where) && grew(e, input.bodyStart ?? input.childBefore, input.childAfter)),
  }
}

/** `2 parent → child, 1 child → parent, 1 left open`, or '' when there is nothing to say. */
export function summarizeReport(report: StateReport): string {
  const parts = [
    report.parentToChild.length && `${report.parentToChild.length} parent → child`,
    report.childToParent.length && `${report.childToParent.length} child → parent`,
    report.leftOpen.length && `${report.leftOpen.length} left open`,
  ]
  return parts.filter(Boolean).join(', ')
}

export interface FormatOptions {
  /** Files are shown relative to this directory. @default process.cwd() */
  readonly root?: string
}

const RESOURCE_NAMES: Readonly<Record<string, string>> = {
  Timeout: 'timer', Immediate: 'immediate', TCPSocketWrap: 'TCP socket', TCPWrap: 'TCP socket', TCPServerWrap: 'TCP server',
  PipeWrap: 'pipe', PipeServerWrap: 'pipe server', ProcessWrap: 'child process', UDPWrap: 'UDP socket', TTYWrap: 'terminal',
  FSReqCallback: 'file system request', FileHandle: 'open file', FSEventWrap: 'file watcher', StatWatcher: 'file watcher',
  MessagePort: 'message port', Worker: 'worker thread', GetAddrInfoReqWrap: 'DNS lookup', SignalWrap: 'signal handler',
}

function place(e: DiffEntry, root: string): string {
  const file = e.file ? (isAbsolute(e.file) ? relative(root, e.file) || e.file : e.file) : undefined
  const of = file ? ` of ${file}` : ''
  switch (e.where) {
    case 'env':
      return `env ${e.name}`
    case 'cwd':
      return 'working directory'
    case 'global':
      return e.scope ? `${e.name} (top-level script scope)` : `global ${e.name}`
    case 'module':
      return `${e.name} (module scope${of})`
    case 'closure': {
      const fn = /^Closure \((.+)\)$/.exec(e.scope ?? '')?.[1]
      return `${e.name} (${fn ? `closure of ${fn}()` : `${(e.scope ?? 'closure').toLowerCase()} scope`}${of})`
    }
    default:
      return e.name
  }
}

function absent(e: DiffEntry): string {
  return e.where === 'env' ? '(not set)' : '(not defined)'
}

function entryLines(e: DiffEntry, root: string, labels: readonly [string, string]): string[] {
  const width = Math.max(labels[0].length, labels[1].length) + 1
  return [
    `    ${place(e, root)}${e.note ? ` — ${e.note}` : ''}`,
    `      ${`${labels[0]}:`.padEnd(width)} ${e.before ?? absent(e)}`,
    `      ${`${labels[1]}:`.padEnd(width)} ${e.after ?? absent(e)}`,
  ]
}

function openLine(e: DiffEntry): string {
  if (e.where === 'resource') {
    const n = Number(e.after ?? 0) - Number(e.before ?? 0)
    const what = RESOURCE_NAMES[e.name] ?? e.name
    return `    ${n} ${what}${n === 1 ? '' : 's'} (${e.name}: ${e.before ?? 0} → ${e.after ?? 0})`
  }
  return `    process.on('${e.name}'): ${e.before ?? 'none'} → ${e.after ?? 'none'}`
}

/** The readable block, or '' when the report is empty. */
export function formatReport(report: StateReport, options: FormatOptions = {}): string {
  const root = options.root ?? process.cwd()
  const lines: string[] = []
  if (report.parentToChild.length) {
    lines.push('  parent → child: the parent had this when it called; the child did not get it')
    for (const e of report.parentToChild) lines.push(...entryLines(e, root, ['parent', 'child']))
  }
  if (report.childToParent.length) {
    lines.push('  child → parent: the body changed this in the child; the parent and the tests after it do not see it')
    for (const e of report.childToParent) lines.push(...entryLines(e, root, ['before', 'after']))
  }
  if (report.leftOpen.length) {
    lines.push('  left open: the body started this and did not end it')
    for (const e of report.leftOpen) lines.push(openLine(e))
  }
  return lines.length ? ['State across the process boundary (isolated-test):', ...lines].join('\n') : ''
}
