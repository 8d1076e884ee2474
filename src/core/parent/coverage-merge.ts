// Folding a child's coverage into what the test worker reports, so the framework's reporter sees one
// result for the file (a second result under the same key would replace the first). Counts add up.
/** One file of an istanbul coverage map: its counters (and maps, hash, path, left as they are). */
interface IstanbulFileCoverage {
  readonly hash?: string
  readonly s: Record<string, number>
  readonly f: Record<string, number>
  readonly b: Record<string, number[]>
  readonly bT?: Record<string, number[]>
}

type IstanbulMap = Record<string, IstanbulFileCoverage>

function added<T extends number[] | number>(a: T, b: T): T {
  if (Array.isArray(a)) return a.map((n, i) => n + ((b as number[])[i] ?? 0)) as T
  return ((a as number) + (b as number)) as T
}

function addCounts<T extends number | number[]>(into: Record<string, T>, from: Record<string, T>): Record<string, T> {
  const out = { ...into }
  for (const [key, n] of Object.entries(from)) out[key] = key in out ? added(out[key]!, n) : n
  return out
}

/**
 * Adds `from`'s counters into `into` in place (Jest's environment keeps its live `__coverage__`, which it
 * copies when the file ends); a file only `from` has comes in whole.
 */
export function foldIstanbul(into: Record<string, unknown>, from: IstanbulMap): void {
  const merged = mergeIstanbul(into as IstanbulMap, from)
  for (const path of Object.keys(from)) {
    const mine = into[path] as IstanbulFileCoverage | undefined
    const sum = merged[path]!
    if (!mine || mine === sum) {
      into[path] = sum
      continue
    }
    Object.assign(mine.s, sum.s)
    Object.assign(mine.f, sum.f)
    Object.assign(mine.b, sum.b)
    if (mine.bT && sum.bT) Object.assign(mine.bT, sum.bT)
  }
}

/**
 * A new istanbul map: `into` with each of `from`'s files' counters added (the same instrumented code:
 * the same keys). A file only `from` has comes in whole. Neither input is changed: `into` may be the
 * worker's live counters.
 */
export function mergeIstanbul(into: IstanbulMap, from: IstanbulMap): IstanbulMap {
  const out: IstanbulMap = { ...into }
  for (const [path, file] of Object.entries(from)) {
    const mine = out[path]
    if (!mine || mine.hash !== file.hash) {
      if (!mine) out[path] = file
      continue
    }
    out[path] = {
      ...mine,
      s: addCounts(mine.s, file.s),
      f: addCounts(mine.f, file.f),
      b: addCounts(mine.b, file.b),
      ...(mine.bT && file.bT ? { bT: addCounts(mine.bT, file.bT) } : {}),
    }
  }
  return out
}
