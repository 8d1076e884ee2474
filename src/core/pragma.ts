// The `@isolated-test {json}` docblock pragma, the same in Vitest and Jest: per-file options merged
// deeply over the project's.
import { validateOptions, type IsolatedOptions } from './options.js'

const PRAGMA = /@isolated-test\s+(\{[\s\S]*?\})\s*(?:\*\/|\n\s*\*\s*@|\n\s*\*\s*\n|\n\s*\*\/)/

/** Options from the file's leading docblock, or undefined; throws a TypeError naming the file on bad JSON or options. */
export function readPragma(source: string, file: string): IsolatedOptions | undefined {
  const docblock = /^\s*(?:#![^\n]*\n\s*)?(\/\*\*[\s\S]*?\*\/)/.exec(source)?.[1]
  if (!docblock) return undefined
  const match = PRAGMA.exec(docblock)
  if (!match) return undefined
  const json = match[1]!.replace(/\n\s*\*\s?/g, ' ')
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    throw new TypeError(`${file}: the @isolated-test pragma must be followed by a JSON object, got ${json} (${(error as Error).message}).`)
  }
  return validateOptions(parsed, `${file}: @isolated-test pragma`)
}
