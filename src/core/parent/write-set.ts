// The pages a forked child wrote, read from /proc/<pid>/pagemap while it is still alive: in its
// private writable mappings, the pages present and mapped by it alone (a copy-on-write copy, or a page
// it zero-filled). Two children of one zygote write much the same pages (the same code on the same
// heap), so the pages both wrote, within the zygote's own mappings, are what later children pre-copy
// in one madvise per run (native/src/serve.c `prefault`): a page fault each costs 50-160 us on the
// development VM, MADV_POPULATE_WRITE 13-19 us a page (native/README.md).
import { closeSync, openSync, readSync } from 'node:fs'
import { readProcText } from './resources/proc-usage.js'
import type { PageRun } from '../native/control-protocol.js'

/** x64 Linux pages; elsewhere (arm64 may use 16 or 64 KiB) nothing is learned. */
const PAGE = 4096
/** A write set larger than this (32 MiB) is a heavy test's, not the common path: not pre-copied. */
export const MAX_WRITE_SET_PAGES = 8192
/** pagemap entries read at a time (512 KiB). */
const CHUNK = 65536
/** Mappings larger than this are reservations, not what a test writes page by page: skipped. */
const MAX_MAPPING_PAGES = 1 << 18

interface Mapping {
  readonly first: number
  readonly end: number
}

/** The process's private writable mappings, as page numbers [first, end). */
function writableMappings(pid: number): Mapping[] | undefined {
  const maps = readProcText(`/proc/${pid}/maps`)
  if (maps === undefined) return undefined
  const out: Mapping[] = []
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p /.exec(line)
    if (m) out.push({ first: parseInt(m[1]!, 16) / PAGE, end: parseInt(m[2]!, 16) / PAGE })
  }
  return out
}

/** Sorted page numbers `pid` wrote, or undefined when they cannot be read (it exited, not Linux x64). */
export function writtenPages(pid: number): number[] | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined
  const mappings = writableMappings(pid)
  if (!mappings) return undefined
  let fd: number
  try {
    fd = openSync(`/proc/${pid}/pagemap`, 'r')
  } catch {
    return undefined
  }
  const out: number[] = []
  const buf = Buffer.allocUnsafe(CHUNK * 8)
  try {
    for (const { first, end } of mappings) {
      if (end - first > MAX_MAPPING_PAGES) continue
      for (let at = first; at < end; at += CHUNK) {
        const n = Math.min(CHUNK, end - at)
        const got = readSync(fd, buf, 0, n * 8, at * 8) / 8
        for (let i = 0; i < got; i++) {
          const high = buf.readUInt32LE(i * 8 + 4)
          // Bits 63 present, 61 file page or shared anonymous, 56 exclusively mapped (kernel's pagemap.rst).
          if (high & 0x80000000 && !(high & 0x20000000) && high & 0x01000000) out.push(at + i)
        }
      }
    }
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
  return out
}

/** The pages in both sorted lists. */
export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      out.push(a[i]!)
      i++
      j++
    } else if (a[i]! < b[j]!) i++
    else j++
  }
  return out
}

/** The pages that lie in the private writable mappings of `pid` (the zygote: a child maps nothing else at its fork). */
export function withinMappingsOf(pid: number, pages: readonly number[]): number[] | undefined {
  const mappings = writableMappings(pid)
  if (!mappings) return undefined
  const out: number[] = []
  let m = 0
  for (const p of pages) {
    while (m < mappings.length && mappings[m]!.end <= p) m++
    if (m < mappings.length && mappings[m]!.first <= p) out.push(p)
  }
  return out
}

/** Sorted pages as runs of consecutive pages. */
export function toRuns(pages: readonly number[]): PageRun[] {
  const runs: PageRun[] = []
  for (let i = 0; i < pages.length; ) {
    let j = i + 1
    while (j < pages.length && pages[j] === pages[j - 1]! + 1) j++
    runs.push({ start: BigInt(pages[i]!) * BigInt(PAGE), pages: j - i })
    i = j
  }
  return runs
}
