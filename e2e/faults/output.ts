// A runner's output, kept small enough to search: the matrix writes 50 MB lines of '#' (and cut-off
// 50 MB writes), which are counted and shortened here instead of kept.
const MB = 2 ** 20

/** A run of '#' this long or longer is kept as `#×<n>`. */
const LONG_RUN = 1000

export class OutputSink {
  private kept: string[] = []
  private partial: string[] = []
  /** Lines that are exactly one full line of the '50 MB output' case (1 MB − 1 '#'), any indentation. */
  fullMegabyteLines = 0
  /**
   * '=' characters in runs of 64 or more: Jest's '50 MB output' case writes '=' lines, which the main
   * process may cut with another worker's output (as it does in-process), so it is counted by the character.
   */
  equalsInRuns = 0

  write(text: string): void {
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.partial.push(text.slice(start, nl))
      this.line(this.partial.join(''))
      this.partial = []
      start = nl + 1
    }
    if (start < text.length) this.partial.push(text.slice(start))
  }

  end(): string {
    if (this.partial.length > 0) this.line(this.partial.join(''))
    this.partial = []
    return this.kept.join('\n')
  }

  private line(line: string): void {
    const trimmed = line.trimStart()
    if (trimmed.length === MB - 1 && /^#+$/.test(trimmed)) {
      this.fullMegabyteLines++
      return
    }
    if (line.length >= EQUALS_RUN) this.equalsInRuns += equalsInRuns(line)
    this.kept.push(line.length < LONG_RUN ? line : shortenRuns(line))
  }
}

const EQUALS_RUN = 64

function equalsInRuns(line: string): number {
  let count = 0
  for (let i = line.indexOf('='); i >= 0; i = line.indexOf('=', i)) {
    let end = i
    while (end < line.length && line.charCodeAt(end) === 61) end++
    if (end - i >= EQUALS_RUN) count += end - i
    i = end
  }
  return count
}

/** Each run of '#' or '=' of LONG_RUN or more becomes `#×<n>`. A loop, not a regex: V8's regex overflows its stack on a 50 MB run. */
function shortenRuns(line: string): string {
  const parts: string[] = []
  let from = 0
  for (let i = 0; i < line.length; ) {
    const c = line.charCodeAt(i)
    if (c !== 35 && c !== 61) {
      i++
      continue
    }
    let end = i
    while (end < line.length && line.charCodeAt(end) === c) end++
    if (end - i >= LONG_RUN) {
      parts.push(line.slice(from, i), `${String.fromCharCode(c)}×${end - i}`)
      from = end
    }
    i = end
  }
  parts.push(line.slice(from))
  return parts.join('')
}
