import { afterEach, expect, test } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { isAlive, listDescendants, terminateTree } from './terminate.js'

const fixture = fileURLToPath(new URL('../../../fixtures/children/stubborn-tree.mjs', import.meta.url))
const started: number[] = []

afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone, as it should be
    }
  }
})

async function startStubborn(): Promise<{ child: ChildProcess; grandchild: number }> {
  const child = spawn(process.execPath, [fixture], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] })
  started.push(child.pid!)
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  const grandchild = Number(/looping (\d+)/.exec(line.toString())![1])
  started.push(grandchild)
  return { child, grandchild }
}

test('a child that ignores SIGTERM, and a grandchild outside its group, are both killed', async () => {
  const { child, grandchild } = await startStubborn()
  expect(listDescendants(child.pid!).map((d) => d.pid)).toContain(grandchild)
  const exited = once(child, 'exit')
  const result = await terminateTree(child.pid!, exited, 'SIGTERM', 100)
  expect(result.forced).toBe(true)
  expect(result.leftovers.map((p) => p.pid)).toContain(grandchild)
  const [, signal] = (await exited) as [number | null, string | null]
  expect(signal).toBe('SIGKILL')
  // SIGKILL is delivered at once; the re-parented grandchild may need a moment to be reaped.
  for (let i = 0; i < 50 && isAlive(grandchild) && !isZombie(grandchild); i++) await new Promise((r) => setTimeout(r, 20))
  expect(isAlive(grandchild) && !isZombie(grandchild)).toBe(false)
})

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z'
  } catch {
    return false
  }
}
