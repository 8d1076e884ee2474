// Raw call frames (script id, 0-based line and column) to original-source positions through each
// script's source map: the fallback when the paused frame's own stack could not be read.
import { SourceMap } from 'node:module'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { StuckFrame } from '../errors.js'

export interface CallFrame {
  callFrameId: string
  functionName: string
  url: string
  location: { scriptId: string; lineNumber: number; columnNumber: number }
}

export interface ScriptInfo {
  readonly url: string
  readonly sourceMapURL: string
  /** The map itself, when the framework holds it beside the code (no sourceMappingURL). */
  readonly sourceMap?: object | undefined
}

const maps = new Map<string, SourceMap | null>()

function loadMap(scriptId: string, url: string, sourceMapURL: string, given?: object): SourceMap | null {
  if (maps.has(scriptId)) return maps.get(scriptId)!
  let map: SourceMap | null = null
  try {
    if (given) {
      map = new SourceMap(given as ConstructorParameters<typeof SourceMap>[0])
    } else if (sourceMapURL.startsWith('data:')) {
      const json = Buffer.from(sourceMapURL.slice(sourceMapURL.indexOf(',') + 1), 'base64').toString('utf8')
      map = new SourceMap(JSON.parse(json))
    } else if (sourceMapURL && url) {
      const base = url.startsWith('file:') ? url : `file://${url}`
      map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(new URL(sourceMapURL, base)), 'utf8')))
    }
  } catch {
    map = null
  }
  maps.set(scriptId, map)
  return map
}

function toPath(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url
}

export function mapFrame(f: CallFrame, scripts: ReadonlyMap<string, ScriptInfo>): StuckFrame {
  const script = scripts.get(f.location.scriptId)
  const url = f.url || script?.url || ''
  const map = script ? loadMap(f.location.scriptId, url, script.sourceMapURL, script.sourceMap) : null
  const entry = map?.findEntry(f.location.lineNumber, f.location.columnNumber) as
    | { originalSource?: string; originalLine?: number; originalColumn?: number }
    | undefined
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const source = entry.originalSource
    const file = source.startsWith('file://') ? fileURLToPath(source) : source.startsWith('/') ? source : toPath(new URL(source, url.startsWith('file:') ? url : `file://${url}`).href)
    return { functionName: f.functionName, file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
  }
  return { functionName: f.functionName, file: toPath(url), line: f.location.lineNumber + 1, column: f.location.columnNumber + 1 }
}
