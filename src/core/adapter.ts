// The seam between the core and a test framework. The core (this folder) knows no framework: it starts,
// times, captures and kills children, carries and reports state, and moves messages. Each framework is
// an adapter under src/adapters/<name>/ with two halves:
// - its parent half builds run requests from the running framework and calls `runInChild`
//   (core/parent/run-child.ts), relaying the framework's own traffic; for `isolated()` it registers a
//   `HostAdapter` here;
// - its child half is a module exporting a `ChildAdapter`, which the child entry imports by the URL in
//   the request, so the core never imports an adapter.
import type { PrepareRequest, RunRequest, Site } from './ipc/protocol.js'
import type { ChildState } from './child/state.js'
import type { Link } from './child/link.js'
import type { ResolvedOptions } from './options.js'
import type { SourcePosition } from './site.js'

/** The child half of an adapter (the default export or the module namespace of `request.adapter`). */
export interface ChildAdapter {
  /**
   * Boots the framework for the file ahead of the request (configuration, environment, transformer,
   * worker RPC): what a spare child does while the previous test runs. Runs no test code. Memoized:
   * `run` awaits the same work and sees its error. The framework's own traffic to the parent (an RPC)
   * goes over `link`, beside ours.
   */
  prepare(payload: PrepareRequest['payload'], link: Link): Promise<void>
  /**
   * Imports and collects the file with the framework's own machinery, runs the target (one test by its
   * id, or a wrapped function called with arguments) and sends the verdict through `state.send`.
   */
  run(request: RunRequest, state: ChildState): Promise<void>
}

/** One call of an `isolated()` wrapper in the test process. */
export interface WrappedCall {
  readonly wrapper: (...args: never[]) => unknown
  readonly fn: (...args: never[]) => unknown
  readonly thisArg: unknown
  readonly args: unknown[]
  readonly options: ResolvedOptions
  /** Where the wrapper was made. */
  readonly site: Site
  /** Where it was called from (the first frame below the wrapper), for our errors about this call. */
  readonly callSite: SourcePosition
}

/** The parent half of an adapter, as `isolated()` sees it. */
export interface HostAdapter {
  /** What this framework needs for `isolated()` to run, for the error when no framework is running. */
  readonly requirement: string
  /** Scope for numbering wrappers made at one site; a re-import of the file in a new run starts from 0. */
  wrapperScope?(): object | undefined
  /** A wrapper was made in the test process (not in a child), with these options: a chance to get ready for its calls. */
  onWrapperMade?(options: ResolvedOptions): void
  /** Runs the call in a child when this framework is running here; undefined when it is not. */
  call(call: WrappedCall): Promise<unknown> | undefined
}

const hosts: HostAdapter[] = []

/** Called once by each adapter's parent half when the public entry loads it. */
export function registerHost(host: HostAdapter): void {
  if (!hosts.includes(host)) hosts.push(host)
}

export function registeredHosts(): readonly HostAdapter[] {
  return hosts
}
