// Test names as filters: escaped, anchored regular expressions, and shell quoting for printed commands.
import type { TestRef } from './types.js'

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

/** `^(?:a|b)$`: exactly these full names. */
export function anchoredAlternation(names: readonly string[]): string {
  const unique = [...new Set(names)]
  return `^(?:${unique.map(escapeRegex).join('|')})$`
}

/** A pattern no test name matches: the runner collects the files and reports every test skipped. */
export const MATCH_NOTHING = '^(?!)$'

/** POSIX shell single quotes, for a command the user copies. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Full names that occur more than once in a file's listing. */
export function repeatedNames(listing: readonly TestRef[]): Set<string> {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const t of listing) {
    if (seen.has(t.fullName)) repeated.add(t.fullName)
    seen.add(t.fullName)
  }
  return repeated
}

export function sameTest(a: TestRef, b: TestRef): boolean {
  return a.file === b.file && a.fullName === b.fullName && (a.line === undefined || b.line === undefined || a.line === b.line)
}
