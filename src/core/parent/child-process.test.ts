import { expect, test } from 'vitest'
import { withoutInspectFlags } from './child-process.js'

test('debugger flags are never passed on to children; loader flags are', () => {
  expect(
    withoutInspectFlags(['--inspect', '--inspect-brk=9229', '--inspect-port', '9230', '--conditions', 'development', '--import', 'tsx', '--debug-port=1', '--max-old-space-size=64']),
  ).toEqual(['--conditions', 'development', '--import', 'tsx', '--max-old-space-size=64'])
})
