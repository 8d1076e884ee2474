import { expect, test } from 'vitest'
import { CONSOLE_FRAME } from '../protocol.js'
import { ConsoleRelay } from './console-relay.js'

function recorder() {
  const calls: string[] = []
  const method = (name: string) => (format: string, message: string) => calls.push(`${name}:${format === '%s' ? message : `${format} ${message}`}`)
  return { calls, console: { log: method('log'), info: method('info'), warn: method('warn'), error: method('error'), debug: method('debug') } }
}
const frame = (type: string, message: string): string => `${CONSOLE_FRAME}${JSON.stringify({ type, message })}\n`

test('console calls keep their type; text arrives in any chunks; raw output keeps its place', () => {
  const { calls, console } = recorder()
  const relay = new ConsoleRelay(console)
  const text = `raw before\n${frame('warn', 'careful %s')}${frame('table', '┌─┐')}tail without newline`
  for (const ch of text) relay.write('stdout', ch)
  relay.write('stderr', 'an error line\n')
  relay.flush()
  expect(calls).toEqual(['log:raw before', 'warn:careful %s', 'log:┌─┐', 'log:tail without newline', 'error:an error line'])
})

test('a frame cut short by a kill is kept as text', () => {
  const { calls, console } = recorder()
  const relay = new ConsoleRelay(console)
  relay.write('stdout', `${CONSOLE_FRAME}{"type":"log","mess`)
  relay.flush()
  expect(calls).toEqual(['log:{"type":"log","mess'])
})
