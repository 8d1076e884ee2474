// The child's half of snapshots on Vitest's real SnapshotState: what it sends, and that it never writes.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SnapshotClient, SnapshotState } from '@vitest/snapshot'
import { NodeSnapshotEnvironment } from '@vitest/snapshot/environment'
import { expect, test } from 'vitest'
import type { Link } from '../../../core/child/link.js'
import { isSnapshotMessage, type SnapshotRecord } from '../protocol.js'
import { instrumentSnapshotState, type SnapshotStateLike } from './snapshots.js'

function setUp(): { dir: string; state: SnapshotState; records: SnapshotRecord[] } {
  const dir = mkdtempSync(join(tmpdir(), 'isolated-snapshots-'))
  // The constructor is private in the types (Vitest builds it through SnapshotState.create, which reads the file).
  const state = new (SnapshotState as unknown as new (...args: unknown[]) => SnapshotState)(join(dir, 'a.test.ts'), join(dir, '__snapshots__', 'a.test.ts.snap'), null as never, {
    updateSnapshot: 'all',
    snapshotEnvironment: new NodeSnapshotEnvironment(),
    snapshotFormat: {},
  } as never)
  const records: SnapshotRecord[] = []
  const link = { send: (m: unknown) => (isSnapshotMessage(m) ? records.push(m.record) : undefined) } as unknown as Link
  instrumentSnapshotState(state as unknown as SnapshotStateLike, link, {})
  return { dir, state, records }
}

test('each match is sent with the value as Vitest prints it; pack writes nothing', async () => {
  const { dir, state, records } = setUp()
  const result = state.match({ testId: 't1', testName: 'a test', received: { a: [1], s: 'x' } } as never)
  expect(result.pass).toBe(true)
  expect(records).toEqual([
    expect.objectContaining({ op: 'match', testId: 't1', testName: 'a test', isInline: false, verbatim: false, threw: false, serialized: '{\n  "a": [\n    1,\n  ],\n  "s": "x",\n}' }),
  ])
  await state.pack()
  expect(readdirSync(dir)).toEqual([])
})

test('a file snapshot of a string goes as the string itself', () => {
  const { dir, state, records } = setUp()
  state.match({ testId: 't1', testName: 'a test', received: '<p>hi</p>\n', rawSnapshot: { file: join(dir, 'hi.html'), content: '<p>old</p>\n' } } as never)
  expect(records[0]).toMatchObject({ verbatim: true, serialized: '<p>hi</p>\n', rawSnapshot: { file: join(dir, 'hi.html'), content: '<p>old</p>\n' } })
})

test('a property matcher that fails first still checks its key', () => {
  const { state, records } = setUp()
  const client = new SnapshotClient({ isEqual: () => false })
  ;(client as unknown as { snapshotStateMap: Map<string, SnapshotState> }).snapshotStateMap.set('f', state)
  const result = client.match({ filepath: 'f', name: 'a test', testId: 't1', received: { id: 1 }, properties: { id: 2 } } as never)
  expect(result.pass).toBe(false)
  expect(records).toEqual([{ op: 'checked', testId: 't1', testName: 'a test', isInline: false, inlineSnapshot: undefined }])
})
