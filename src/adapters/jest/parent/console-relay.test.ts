import { expect, test } from 'vitest'
import { CONSOLE_MARK, type ConsoleFrame } from '../protocol.js'
import { ConsoleRelay } from './console-relay.js'

function recorder() {
  const calls: string[] = []
  const _buffer: { origin: string }[] = []
  const method = (name: string) => (format: string, message: string) => {
    calls.push(`${name}:${format === '%s' ? message : `${format} ${message}`}`)
    _buffer.push({ origin: '    at ConsoleRelay.call (ours)' })
  }
  return { calls, _buffer, console: { _buffer, log: method('log'), info: method('info'), warn: method('warn'), error: method('error'), debug: method('debug') } }
}
const frame = (type: string, message: string, origin = ''): ConsoleFrame => ({ [CONSOLE_MARK]: true, type, message, origin })

test('raw text arrives in any chunks and goes out line by line; a last partial line on flush', () => {
  const { calls, console } = recorder()
  const relay = new ConsoleRelay(console)
  for (const ch of 'progress: one\ntwo\ntail without newline') relay.write('stdout', ch)
  relay.write('stderr', 'an error line\n')
  relay.flush()
  expect(calls).toEqual(['log:progress: one', 'log:two', 'error:an error line', 'log:tail without newline'])
})

test('console calls keep their type and the child origin; raw text without a newline never swallows them', () => {
  const { calls, console, _buffer } = recorder()
  const relay = new ConsoleRelay(console)
  relay.write('stdout', 'progress: ')
  relay.call(frame('log', 'x', '    at Object.<anonymous> (/p/a.test.js:3:11)'))
  relay.call(frame('warn', 'careful %s'))
  relay.call(frame('table', '┌─┐'))
  relay.flush()
  expect(calls).toEqual(['log:x', 'warn:careful %s', 'log:┌─┐', 'log:progress: '])
  expect(_buffer[0]!.origin).toBe('    at Object.<anonymous> (/p/a.test.js:3:11)')
})
