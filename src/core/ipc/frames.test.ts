import { expect, test } from 'vitest'
import { encodeFrame, FrameReader } from './frames.js'

test('messages survive any chunking, with structured-clone types', () => {
  const messages = [{ a: 1, m: new Map([[1, 'x']]), d: new Date(0) }, 'text ✓ 漢字 🎉', { big: 'x'.repeat(300_000), n: 10n }, [1, [2, [3]]]]
  const bytes = Buffer.concat(messages.map(encodeFrame))
  for (const size of [1, 3, 7, 4096, bytes.length]) {
    const reader = new FrameReader()
    const got: unknown[] = []
    for (let i = 0; i < bytes.length; i += size) got.push(...reader.push(bytes.subarray(i, i + size)))
    expect(got).toEqual(messages)
  }
})
