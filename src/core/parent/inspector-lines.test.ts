import { expect, test } from 'vitest'
import { InspectorLinesFilter } from './inspector-lines.js'

async function filter(chunks: readonly string[]): Promise<string> {
  const f = new InspectorLinesFilter()
  const out: Buffer[] = []
  f.on('data', (b: Buffer) => out.push(b))
  for (const c of chunks) f.write(Buffer.from(c))
  f.end()
  await new Promise((r) => f.on('end', r))
  return Buffer.concat(out).toString('utf8')
}

test("Node's inspector lines go, in any chunking; the test's own output stays byte for byte", async () => {
  const text = 'Debugger listening on ws://127.0.0.1:4000/abc\nFor help, see: https://nodejs.org/en/docs/inspector\nuser ✓ 漢字 🎉\nDebugger attached.\nDebugger listening: not ours\nend without newline'
  const expected = 'user ✓ 漢字 🎉\nDebugger listening: not ours\nend without newline'
  const bytes = Buffer.from(text)
  for (const size of [1, 2, 5, 17, bytes.length]) {
    const chunks: string[] = []
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size).toString('latin1'))
    const f = new InspectorLinesFilter()
    const out: Buffer[] = []
    f.on('data', (b: Buffer) => out.push(b))
    for (let i = 0; i < bytes.length; i += size) f.write(bytes.subarray(i, i + size))
    f.end()
    await new Promise((r) => f.on('end', r))
    expect(Buffer.concat(out).toString('utf8')).toBe(expected)
  }
  expect(await filter(['a line\n', 'Debugger attached.\n'])).toBe('a line\n')
})
