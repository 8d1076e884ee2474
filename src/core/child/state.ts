// What the child keeps for code that the framework loads (its runner, the wrapped functions). They may
// be separate module instances from ours, so they find it on globalThis.
import { CHILD_STATE, type ChildMessage, type RunRequest, type Site } from '../ipc/protocol.js'
import type { ResolvedOptions } from '../options.js'
import type { StateReport } from '../state/report.js'
import type { Link } from './link.js'

/** One call of an `isolated()` wrapper inside a child: the adapter decides how it runs there. */
export interface InPlaceCall {
  readonly fn: (...args: unknown[]) => unknown
  readonly thisArg: unknown
  readonly args: unknown[]
  readonly site: Site
  readonly options: ResolvedOptions
}

export interface ChildState {
  /** What to run. In a zygote, what to collect; replaced by the child's own request at the fork point. */
  request: RunRequest
  /** The channel to the parent, for the framework's own traffic (ours goes through `send`). */
  readonly link: Link
  readonly send: (message: ChildMessage) => void
  resultSent: boolean
  /** Node's own process.exit: frameworks replace it with a throw, but a test that exits must really exit. */
  readonly realExit: (code?: number) => never
  /** Counts wrappers created per site while the module is imported again, to find the one called. */
  readonly wrapperSites: Map<string, number>
  /** The body's state report, sent with the result. */
  report?: StateReport | undefined
  /** When the run request arrived and when the body started (performance.now()), for `importMs`. */
  received: number
  bodyStarted?: number | undefined
  /** The raw functions behind those wrappers, by `site#ordinal`. */
  readonly wrappers: Map<string, (...args: unknown[]) => unknown>
  /**
   * A forked child ends its stdout and stderr just before its answer (result or fatal): the parent then
   * has all of its output at EOF, without waiting for its death (measured: 8-25 ms a test).
   */
  endOutput?: (() => void) | undefined
  /** Set by the adapter's child half: how a wrapper called in this child runs (default: in place, as it is). */
  inPlace?: ((call: InPlaceCall) => unknown) | undefined
}

export function getChildState(): ChildState | undefined {
  return (globalThis as Record<symbol, ChildState | undefined>)[CHILD_STATE]
}

export function siteKey(site: Pick<Site, 'file' | 'line' | 'column'>): string {
  return `${site.file}:${site.line}:${site.column}`
}
