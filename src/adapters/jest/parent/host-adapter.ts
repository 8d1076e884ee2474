// `isolated()` in a running Jest test under a plain setup (any environment but ours): registered with
// the core when the public entry loads.
import { registerHost, type HostAdapter } from '../../../core/adapter.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import { currentJestTest } from './plain-state.js'
import { watchPlainFile } from './plain-summary.js'

export const jestHost: HostAdapter = {
  requirement: 'a running Jest test (Jest 29 or 30)',
  // The file's one summary line of the state report is printed by a hook of ours, added while it loads.
  onWrapperMade: () => watchPlainFile(),
  call({ wrapper, fn, args, options, site, callSite }) {
    const jest = currentJestTest()
    if (!jest) return undefined
    return import('./plain.js').then((m) => m.runInPlainJest({ jest, wrapper, fn: fn as unknown as AnyFunction, args, options, site, callSite }))
  },
}

registerHost(jestHost)
