import { expect, test } from 'vitest'
import { CONSOLE_MARK, type ConsoleFrame } from '../protocol.js'
import { ConsoleRelay, type RawSink } from './console-relay.js'

function recorder() {
  const calls: string[] = []
  const _buffer: { origin: string }[] = []
  const method = (name: string) => (format: string, message: string) => {
    calls.push(`${name}:${format === '%s' ? message : `${format} ${message}`}`)
    _buffer.push({ origin: '    at ConsoleRelay.call (ours)' })
  }
  const raw: string[] = []
  const sink: RawSink = { write: (stream, text) => raw.push(`${stream}:${text}`) }
  return { calls, raw, sink, _buffer, console: { _buffer, log: method('log'), info: method('info'), warn: method('warn'), error: method('error'), debug: method('debug') } }
}
const frame = (type: string, message: string, origin = ''): ConsoleFrame => ({ [CONSOLE_MARK]: true, type, message, origin })

test('raw output goes to the raw sink as it comes, byte for byte, never through the console', () => {
  const { calls, raw, sink, console } = recorder()
  const relay = new ConsoleRelay(console, sink)
  relay.write('stdout', 'progress: ')
  relay.write('stderr', 'an error line\n')
  expect(raw).toEqual(['stdout:progress: ', 'stderr:an error line\n'])
  expect(calls).toEqual([])
})

test('console calls keep their type and the origin of the call in the child', () => {
  const { calls, sink, console, _buffer } = recorder()
  const relay = new ConsoleRelay(console, sink)
  relay.call(frame('log', 'x', '    at Object.<anonymous> (/p/a.test.js:3:11)'))
  relay.call(frame('warn', 'careful %s'))
  relay.call(frame('table', '┌─┐'))
  expect(calls).toEqual(['log:x', 'warn:careful %s', 'log:┌─┐'])
  expect(_buffer[0]!.origin).toBe('    at Object.<anonymous> (/p/a.test.js:3:11)')
})

test("a child's V8 out-of-memory report goes to stdout, so jest-worker does not kill the worker; other stderr stays on stderr", async () => {
  const { ProcessSink } = await import('./console-relay.js')
  const out: string[] = []
  const streams = { stdout: { write: (t: string) => out.push(`stdout:${t}`) }, stderr: { write: (t: string) => out.push(`stderr:${t}`) } }
  const sink = new ProcessSink(streams)
  sink.write('stderr', 'plain\n')
  sink.write('stderr', '<--- Last few')
  sink.write('stderr', ' GCs --->\n')
  sink.write('stderr', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n')
  expect(out).toEqual([
    'stderr:plain\n',
    'stderr:<--- Last few',
    'stdout: GCs --->\n',
    'stdout:FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n',
  ])
})
