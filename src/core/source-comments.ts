// The comments of a JavaScript or TypeScript source, split at its first statement: the pragma counts
// only in the comments before it. A small lexer, not a parser: it tells comments from strings, template
// literals and regular expressions well enough to find them; the header part is exact.

export interface SourceComment {
  /** The comment as written, `//` or `/*` included. */
  readonly text: string
  /** 1-based line it starts on. */
  readonly line: number
  /** True before the first statement. */
  readonly leading: boolean
}

/** A directive such as 'use strict' ends no header: it is part of the prologue, not a statement. */
const DIRECTIVE = /^(?:'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*")[ \t]*(?:;|(?=\r?\n|$|\/\/|\/\*))/
/** After one of these a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^'])
const REGEX_KEYWORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await'])

export function sourceComments(source: string): SourceComment[] {
  const out: SourceComment[] = []
  const n = source.length
  let i = 0
  const lineAt = (() => {
    let line = 1
    let at = 0
    return (pos: number): number => {
      for (; at < pos; at++) if (source.charCodeAt(at) === 10) line++
      return line
    }
  })()
  /** Reads the comment at i (known to start with // or /*), records it, returns the index after it. */
  const comment = (leading: boolean): number => {
    const end = source.startsWith('//', i) ? indexOrEnd(source, '\n', i) : indexOrEnd(source, '*/', i + 2) + 2
    out.push({ text: source.slice(i, Math.min(end, n)), line: lineAt(i), leading })
    return Math.min(end, n)
  }

  // The header: BOM, shebang, whitespace, comments and directives.
  if (source.charCodeAt(0) === 0xfeff) i = 1
  if (source.startsWith('#!', i)) i = indexOrEnd(source, '\n', i)
  for (;;) {
    while (i < n && /\s/.test(source[i]!)) i++
    if (source.startsWith('//', i) || source.startsWith('/*', i)) {
      i = comment(true)
      continue
    }
    const directive = DIRECTIVE.exec(source.slice(i, i + 200))
    if (directive) {
      i += directive[0].length
      continue
    }
    break
  }

  // The rest: comments outside strings, template literals and regular expressions.
  let last = '' // the last token, for telling a regular expression from a division
  const templates: number[] = [] // open `${` depths of the template literals we are inside
  while (i < n) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
    } else if (source.startsWith('//', i) || source.startsWith('/*', i)) {
      i = comment(false)
    } else if (c === '"' || c === "'") {
      i = skipString(source, i, c)
      last = 'a'
    } else if (c === '`') {
      i = skipTemplate(source, i + 1, templates)
      last = 'a'
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop()
      i = skipTemplate(source, i + 1, templates)
      last = 'a'
    } else if (c === '/' && (BEFORE_REGEX.has(last) || REGEX_KEYWORDS.has(last))) {
      i = skipRegex(source, i)
      last = 'a'
    } else if (/[\w$]/.test(c)) {
      const start = i
      while (i < n && /[\w$]/.test(source[i]!)) i++
      last = source.slice(start, i)
    } else {
      if (templates.length > 0 && c === '{') templates[templates.length - 1]!++
      if (templates.length > 0 && c === '}') templates[templates.length - 1]!--
      last = c
      i++
    }
  }
  return out
}

function indexOrEnd(source: string, what: string, from: number): number {
  const at = source.indexOf(what, from)
  return at === -1 ? source.length : at
}

/** After a quoted string; a string never spans an unescaped line end, which keeps a mistake local. */
function skipString(source: string, i: number, quote: string): number {
  for (i++; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === quote || c === '\n') return i + 1
  }
  return i
}

/** From inside a template literal: after its closing backtick, or after a `${` (pushed on `templates`). */
function skipTemplate(source: string, i: number, templates: number[]): number {
  for (; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === '`') return i + 1
    else if (c === '$' && source[i + 1] === '{') {
      templates.push(0)
      return i + 2
    }
  }
  return i
}

/** After a regular expression literal and its flags (a line end also ends it, as in JavaScript). */
function skipRegex(source: string, i: number): number {
  let inClass = false
  for (i++; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === '\n') return i
    else if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) {
      i++
      while (i < source.length && /[a-z]/i.test(source[i]!)) i++
      return i
    }
  }
  return i
}
