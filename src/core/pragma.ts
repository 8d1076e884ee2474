// The `@isolated-test {json}` pragma, the same in Vitest and Jest: per-file options merged over the
// project's. Its grammar is in options.ts (PRAGMA_*); this finds it in a file's comments.
import { unusedPragmaWarning } from './errors.js'
import { parsePragmaValue, PRAGMA_LIKE, PRAGMA_START, PRAGMA_TAG, type IsolatedOptions } from './options.js'
import { sourceComments } from './source-comments.js'

export interface FilePragmas {
  /** The options of each pragma before the first statement, in order (merge them in this order). */
  readonly layers: readonly IsolatedOptions[]
  /** One line for the user when a pragma-like comment is not used (after the first statement, or misspelt). */
  readonly warning: string | undefined
}

/** A comment's lines without the comment markers and the ` * ` of a docblock. */
function commentLines(text: string): string[] {
  if (text.startsWith('//')) return [text.replace(/^\/\/+/, '')]
  const body = text.replace(/^\/\*+/, '').replace(/\*+\/$/, '')
  return body.split(/\r?\n/).map((line) => line.replace(/^\s*\*+(?!\/)/, ''))
}

/**
 * The file's pragmas; throws a TypeError naming the file and line on a value that is not one JSON
 * object of valid options. `file` is how messages name the file.
 */
export function readPragmas(source: string, file: string): FilePragmas {
  const layers: IsolatedOptions[] = []
  let unused: { line: number; text: string } | undefined
  let unusedCount = 0
  for (const comment of sourceComments(source)) {
    if (!PRAGMA_LIKE.test(comment.text)) continue
    const lines = commentLines(comment.text)
    let used = false
    if (comment.leading) {
      lines.forEach((line, index) => {
        const trimmed = line.trim()
        if (!PRAGMA_START.test(trimmed)) return
        used = true
        // The value runs to the next `@tag` line, as in a docblock.
        const rest = lines.slice(index + 1)
        const next = rest.findIndex((l) => l.trim().startsWith('@'))
        const value = [trimmed.slice(PRAGMA_TAG.length), ...(next === -1 ? rest : rest.slice(0, next))].join('\n')
        layers.push(parsePragmaValue(value, `the ${PRAGMA_TAG} pragma in ${file}:${comment.line + index}`))
      })
    }
    if (used) continue
    unusedCount++
    if (!unused) {
      const index = lines.findIndex((line) => PRAGMA_LIKE.test(line))
      unused = { line: comment.line + index, text: comment.text.split(/\r?\n/)[index]!.trim() }
    }
  }
  return { layers, warning: unused && unusedPragmaWarning(file, unused.line, unused.text, unusedCount - 1) }
}
