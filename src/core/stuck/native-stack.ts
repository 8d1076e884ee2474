// A forked child's answer to the stack signal (native/src/stack.c), as frames: V8's current stack at
// the moment the main thread was interrupted, each frame mapped through its script's source map the way
// the inspector path maps raw call frames. No frames: the event loop was idle (nothing of JS running).
import type { StuckFrame } from '../errors.js'
import { mapFrame, type ScriptInfo } from './source-maps.js'

/** `coverage`: the child's stack hook's answer (its coverage as JSON, core/child/coverage.ts), when it gave one. */
export type NativeStack = { readonly answered: false } | { readonly answered: true; readonly frames: readonly StuckFrame[]; readonly coverage?: string | undefined }

/** `sourceMap`: the framework's map of a script whose code names none (Vitest 5 keeps them beside the code). */
export function parseNativeStack(text: string, sourceMap?: (file: string) => object | undefined): NativeStack | undefined {
  const lines = text.split('\n')
  if (lines[0] === 'ITS1 no-answer') return { answered: false }
  if (lines[0] !== 'ITS1 answered') return undefined
  const scripts = new Map<string, ScriptInfo>()
  const raw: { functionName: string; script: string; line: number; column: number }[] = []
  let coverage: string | undefined
  for (const line of lines.slice(1)) {
    if (line.startsWith('c\t')) coverage = line.slice(2)
    const fields = line.split('\t')
    if (fields[0] === 'f' && fields.length === 5) raw.push({ functionName: fields[1]!, script: fields[2]!, line: Number(fields[3]), column: Number(fields[4]) })
    if (fields[0] === 'm' && fields.length === 3) scripts.set(fields[1]!, { url: fields[1]!, sourceMapURL: fields[2]! })
  }
  for (const { script } of raw) {
    if (scripts.has(script) || !sourceMap || script.startsWith('node:')) continue
    const map = sourceMap(script)
    if (map) scripts.set(script, { url: script, sourceMapURL: '', sourceMap: map })
  }
  const frames = raw.map((f) =>
    mapFrame({ callFrameId: '', functionName: f.functionName, url: f.script, location: { scriptId: f.script, lineNumber: f.line, columnNumber: f.column } }, scripts),
  )
  return { answered: true, frames, coverage }
}
