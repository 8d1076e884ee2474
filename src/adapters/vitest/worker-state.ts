// Everything that differs between Vitest 4 and Vitest 5 that we touch, in one place.
import type { Test } from '@vitest/runner'

/** The parts of Vitest's per-worker state we use (`WorkerGlobalState`). */
export interface VitestWorkerState {
  readonly ctx: {
    readonly config: Record<string, unknown>
    readonly environment: { name: string; options: unknown }
    readonly providedContext: unknown
    readonly workerId: number
    readonly pool: string
    readonly projectName?: string
  }
  readonly config: Record<string, unknown> & { root: string; setupFiles: string[]; testTimeout: number; hookTimeout: number }
  readonly rpc: Record<string, (...args: unknown[]) => Promise<unknown>>
  readonly filepath?: string
  readonly current?: Test
  /** The module runner's modules (Vitest 4 and 5): each one's source map, inline in its code (4) or kept beside it (5). */
  readonly evaluatedModules?: { getModuleSourceMapById?(id: string): { readonly map?: object } | null | undefined }
}

/** The source map the worker's module runner holds for a module (the same transform a child ran), if any. */
export function moduleSourceMap(state: VitestWorkerState, file: string): object | undefined {
  try {
    return state.evaluatedModules?.getModuleSourceMapById?.(file)?.map ?? undefined
  } catch {
    return undefined
  }
}

/**
 * The worker state of the Vitest worker we run in, or undefined outside Vitest. Vitest 4 keeps it on
 * `globalThis.__vitest_worker__`; Vitest 5 keeps the same global for its own runtime helpers.
 */
export function getVitestWorkerState(): VitestWorkerState | undefined {
  return (globalThis as { __vitest_worker__?: VitestWorkerState }).__vitest_worker__
}
