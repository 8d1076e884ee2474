// What the child keeps for code that the framework loads (its runner, the wrapped functions). They may
// be separate module instances from ours, so they find it on globalThis.
import { CHILD_STATE, type ChildMessage, type RunRequest, type Site } from '../ipc/protocol.js'

export interface ChildState {
  readonly request: RunRequest
  readonly send: (message: ChildMessage) => void
  resultSent: boolean
  /** Node's own process.exit: frameworks replace it with a throw, but a test that exits must really exit. */
  readonly realExit: (code?: number) => never
  /** Counts wrappers created per site while the module is imported again, to find the one called. */
  readonly wrapperSites: Map<string, number>
  /** The raw functions behind those wrappers, by `site#ordinal`. */
  readonly wrappers: Map<string, (...args: unknown[]) => unknown>
}

export function getChildState(): ChildState | undefined {
  return (globalThis as Record<symbol, ChildState | undefined>)[CHILD_STATE]
}

export function siteKey(site: Pick<Site, 'file' | 'line' | 'column'>): string {
  return `${site.file}:${site.line}:${site.column}`
}
