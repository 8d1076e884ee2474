// The cgroup v2 path against a fake cgroup tree (plain directories and files with the kernel's names):
// where leaves are made, what is written to them, and how memory.events and memory.peak are read. The
// kernel's own behaviour (moving a process, the OOM kill) needs a real delegated cgroup v2:
// e2e/vitest/cgroup.test.ts runs where one is available.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { ChildCgroup, findDelegatedCgroup } from './cgroup.js'

let root: string
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** A fake cgroup2 mount: `cgroups` maps a path below the mount to its subtree_control. */
function fakeTree(cgroups: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'fake-cgroup-'))
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n')
  for (const [path, subtree] of Object.entries({ '': '', ...cgroups })) {
    const dir = join(root, path)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'cgroup.procs'), '')
    writeFileSync(join(dir, 'cgroup.subtree_control'), subtree)
  }
  return root
}

const self = (path: string): string => `12:pids:/\n0::${path}\n`

test('leaves go below the nearest cgroup, from our own up, whose children have the memory controller', () => {
  const r = fakeTree({ 'ci.slice': 'cpu memory pids\n', 'ci.slice/runner': '' })
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/ci.slice/runner'), env: {} })).toEqual({ dir: join(r, 'ci.slice'), memory: true })
  // Our own cgroup, when it is the one (the root of a container's namespace, or a delegated subtree).
  const r2 = fakeTree({ 'job': 'memory\n' })
  expect(findDelegatedCgroup({ root: r2, selfCgroup: self('/job'), env: {} })).toEqual({ dir: join(r2, 'job'), memory: true })
})

test('without the memory controller anywhere: our own cgroup, for containment only', () => {
  const r = fakeTree({ 'user.slice': 'cpu\n', 'user.slice/app.scope': '' })
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/user.slice/app.scope'), env: {} })).toEqual({ dir: join(r, 'user.slice/app.scope'), memory: false })
})

test('none: cgroup v1 only, no cgroup v2 line, a path outside the mount, or ISOLATED_TEST_NO_CGROUP', () => {
  const r = fakeTree({ job: 'memory\n' })
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/job'), env: { ISOLATED_TEST_NO_CGROUP: '1' } })).toBeUndefined()
  // '0' and '' leave it on.
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/job'), env: { ISOLATED_TEST_NO_CGROUP: '0' } })?.memory).toBe(true)
  expect(findDelegatedCgroup({ root: r, selfCgroup: '4:memory:/process_api/x\n1:cpu:/\n', env: {} })).toBeUndefined()
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/../../etc'), env: {} })).toBeUndefined()
  rmSync(join(r, 'cgroup.controllers'))
  // This machine's layout: /sys/fs/cgroup is a tmpfs of v1 hierarchies, no cgroup.controllers at its top.
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/job'), env: {} })).toBeUndefined()
})

test('a leaf: made empty, then its limit (memory.max, no swap, the OOM kill takes the group), then the child', () => {
  const r = fakeTree({ job: 'memory\n' })
  const leaf = ChildCgroup.make(join(r, 'job'), 'isolated-test-1-1')!
  expect(leaf.dir).toBe(join(r, 'job', 'isolated-test-1-1'))
  writeFileSync(join(leaf.dir, 'cgroup.procs'), '')
  expect(leaf.limitMemory(150)).toBe(true)
  expect(readFileSync(join(leaf.dir, 'memory.max'), 'utf8')).toBe(String(150 * 1024 * 1024))
  expect(readFileSync(join(leaf.dir, 'memory.swap.max'), 'utf8')).toBe('0')
  expect(readFileSync(join(leaf.dir, 'memory.oom.group'), 'utf8')).toBe('1')
  expect(leaf.add(4242)).toBe(true)
  expect(leaf.members()).toEqual([4242])
  // A second leaf of the same name is refused.
  expect(ChildCgroup.make(join(r, 'job'), 'isolated-test-1-1')).toBeUndefined()
})

test('memory.events tells an OOM kill; memory.peak the peak, kept once the leaf is removed', () => {
  const r = fakeTree({ job: 'memory\n' })
  const leaf = ChildCgroup.make(join(r, 'job'), 'leaf')!
  expect(leaf.memoryEvents()).toBeUndefined()
  writeFileSync(join(leaf.dir, 'memory.events'), 'low 0\nhigh 0\nmax 37\noom 0\noom_kill 0\noom_group_kill 0\n')
  expect(leaf.memoryEvents()).toEqual({ oomKill: 0, oom: 0 })
  writeFileSync(join(leaf.dir, 'memory.events'), 'low 0\nhigh 0\nmax 112\noom 1\noom_kill 1\noom_group_kill 1\n')
  expect(leaf.memoryEvents()).toEqual({ oomKill: 2, oom: 1 })
  expect(leaf.memoryPeakKb()).toBeUndefined()
  writeFileSync(join(leaf.dir, 'memory.peak'), `${157 * 1024 * 1024}\n`)
  expect(leaf.memoryPeakKb()).toBe(157 * 1024)
  // The kernel removes a cgroup's files with it; here the files are ours, so remove them first.
  rmSync(leaf.dir, { recursive: true })
  mkdirSync(leaf.dir)
  writeFileSync(join(leaf.dir, 'memory.peak'), `${157 * 1024 * 1024}\n`)
  leaf.remove()
  rmSync(leaf.dir, { recursive: true })
  expect(leaf.memoryPeakKb()).toBe(157 * 1024)
})

test('without the memory controller, memory.max cannot be written and the limit is not the kernel\'s', () => {
  const r = fakeTree({ job: '' })
  const leaf = ChildCgroup.make(join(r, 'job'), 'leaf')!
  // The kernel has no memory.max in such a leaf and refuses to create one: a directory in its place does the same here.
  mkdirSync(join(leaf.dir, 'memory.max'))
  expect(leaf.limitMemory(150)).toBe(false)
})

test('our cgroup at the top of the mount ("0::/") is the mount itself', () => {
  const r = fakeTree({})
  writeFileSync(join(r, 'cgroup.subtree_control'), 'memory\n')
  expect(findDelegatedCgroup({ root: r, selfCgroup: self('/'), env: {} })).toEqual({ dir: r, memory: true })
  writeFileSync(join(r, 'cgroup.subtree_control'), '')
  expect(findDelegatedCgroup({ root: `${r}/`, selfCgroup: self('/'), env: {} })).toEqual({ dir: r, memory: false })
})
