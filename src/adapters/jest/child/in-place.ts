// A wrapper called inside a Jest child. As the target test's body (test.each and test.concurrent.each
// call it from their row function, with the child's own copy of the row) it gets the row the parent's
// body got, when that could cross; any other call runs as it is.
import { siteKey, type ChildState, type InPlaceCall } from '../../../core/child/state.js'

export function inPlace(state: ChildState): (call: InPlaceCall) => unknown {
  return ({ fn, thisArg, args, site }) => {
    const target = state.request.target
    const wanted = target.kind === 'test' ? target.test.site : undefined
    const given = target.kind === 'test' ? target.test.args : undefined
    const isBody = wanted !== undefined && siteKey(wanted) === siteKey(site) && wanted.ordinal === site.ordinal
    return fn.apply(thisArg, isBody && given ? [...given] : args)
  }
}
