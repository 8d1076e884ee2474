import { afterEach, expect, test } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Containment } from './index.js'
import { isAlive, listDescendants } from './tree.js'

const fixture = (name: string): string => fileURLToPath(new URL(`../../../../fixtures/children/${name}`, import.meta.url))
const started: number[] = []

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone, as it should be
    }
  }
})

async function start(name: string, tree: Containment): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [fixture(name)], { detached: true, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...tree.env } })
  started.push(child.pid!)
  tree.adopt(child.pid!)
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
  return { child, line: chunk.toString() }
}

/** A tree of `name` under a new Containment, and the pid of the process it printed (`pattern` captures it). */
async function startTree(name: string, pattern: RegExp): Promise<{ tree: Containment; child: ChildProcess; other: number }> {
  const tree = new Containment({ childIsSubreaper: false })
  const { child, line } = await start(name, tree)
  const other = Number(pattern.exec(line)![1])
  started.push(other)
  return { tree, child, other }
}

async function gone(pid: number): Promise<boolean> {
  // SIGKILL is delivered at once; a re-parented process may need a moment to be reaped by init.
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20))
  return !isAlive(pid)
}

test('a child that ignores SIGTERM, and a grandchild outside its group, are both killed', async () => {
  const { tree, child, other: grandchild } = await startTree('stubborn-tree.mjs', /looping (\d+)/)
  expect(listDescendants(child.pid!).map((d) => d.pid)).toContain(grandchild)
  const exited = once(child, 'exit')
  const result = await tree.end(exited, 'SIGTERM', 100)
  expect(result.forced).toBe(true)
  expect(result.leftovers.map((p) => p.pid)).toContain(grandchild)
  const [, signal] = (await exited) as [number | null, string | null]
  expect(signal).toBe('SIGKILL')
  expect(await gone(grandchild)).toBe(true)
})

test('a double-forked daemon that left the tree is found by its token and killed', async () => {
  const { tree, child, other: daemon } = await startTree('daemonizer.mjs', /daemon (\d+)/)
  // Re-parented away from the child: the walk cannot see it.
  expect(listDescendants(child.pid!).map((d) => d.pid)).not.toContain(daemon)
  expect(tree.members().map((m) => m.pid)).toContain(daemon)
  const result = await tree.end(once(child, 'exit'), 'SIGKILL', 0)
  expect(result.leftovers.map((p) => p.pid)).toContain(daemon)
  expect(await gone(daemon)).toBe(true)
})

test('the daemon is still found after the child itself died', async () => {
  const { tree, child, other: daemon } = await startTree('daemonizer.mjs', /daemon (\d+)/)
  const exited = once(child, 'exit')
  process.kill(child.pid!, 'SIGKILL')
  await exited
  const result = await tree.end(exited, 'SIGKILL', 0)
  expect(result.leftovers.map((p) => p.pid)).toEqual([daemon])
  expect(await gone(daemon)).toBe(true)
})

test('one killAll() ends the whole tree: released() only waits for the exit (the quick path after an answer)', async () => {
  const { tree, child, other: grandchild } = await startTree('stubborn-tree.mjs', /looping (\d+)/)
  const exited = once(child, 'exit')
  expect(tree.killAll().map((m) => m.pid)).toContain(grandchild)
  await tree.released(exited)
  const [, signal] = (await exited) as [number | null, string | null]
  expect(signal).toBe('SIGKILL')
  expect(await gone(grandchild)).toBe(true)
})
