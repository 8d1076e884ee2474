// `isolated()` in a Vitest worker: registered with the core when the public entry loads.
import { registerHost, type HostAdapter } from '../../../core/adapter.js'
import { getVitestWorkerState } from '../worker-state.js'

export const vitestHost: HostAdapter = {
  requirement: 'a Vitest worker (Vitest ≥ 4.1)',
  // Each run of a file in a reused worker has its own worker state: wrapper numbering restarts with it.
  wrapperScope: () => getVitestWorkerState(),
  // A wrapper made while the file is collected: its zygote (with the fork server) boots meanwhile.
  onWrapperMade(options) {
    const vitest = getVitestWorkerState()
    if (vitest?.filepath) void import('./host.js').then((m) => m.prestartZygote(vitest, options, vitest.filepath!, undefined))
  },
  call(call) {
    const vitest = getVitestWorkerState()
    if (!vitest) return undefined
    return import('./wrapped-call.js').then((m) => m.callInVitest(vitest, call))
  },
}

registerHost(vitestHost)
