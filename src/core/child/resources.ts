// What the child has open that the user's code opened: `process.getActiveResourcesInfo()` less what was
// open when the framework was booted and the user's code had not run yet (our channel, stdio, the
// watchdog, the framework's own), less what the adapter says the framework keeps while a phase runs (a
// timer of its own). The watchdog reads it on a timeout; the report of resources left open uses it too.
import { RESOURCES_KEY } from '../resources-key.js'

// Kept on globalThis: the framework may load this module again as its own instance (Vitest's module
// runner loads our child runner), and every instance must see the same numbers.
interface Counts {
  baseline: Map<string, number>
  allowance: Map<string, number>
}
const KEY = Symbol.for('isolated-test.resource-counts')
const shared = ((globalThis as Record<symbol, Counts | undefined>)[KEY] ??= { baseline: new Map(), allowance: new Map() })

function counts(list: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of list) out.set(r, (out.get(r) ?? 0) + 1)
  return out
}

/** Everything open now is not the user's: call when the framework is ready and the test file not yet imported. */
export function markResourceBaseline(): void {
  shared.baseline = counts(process.getActiveResourcesInfo())
}

/** Resources the framework holds while the user's code runs, on top of the baseline (Jest's timer for the running function). */
export function allowFrameworkResources(resources: Readonly<Record<string, number>>): void {
  shared.allowance = new Map(Object.entries(resources))
}

/** The user's open resources, one entry per resource. */
export function userResources(): string[] {
  const out: string[] = []
  for (const [name, n] of counts(process.getActiveResourcesInfo())) {
    const mine = n - (shared.baseline.get(name) ?? 0) - (shared.allowance.get(name) ?? 0)
    for (let i = 0; i < mine; i++) out.push(name)
  }
  return out
}

export function installResourceView(): void {
  ;(globalThis as Record<symbol, unknown>)[RESOURCES_KEY] = userResources
}
