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
    this.kept.push(line.length < LONG_RUN ? line : shortenRuns(line))
  }
}

/** Each run of '#' of LONG_RUN or more becomes `#×<n>`. A loop, not a regex: V8's regex overflows its stack on a 50 MB run. */
function shortenRuns(line: string): string {
  const parts: string[] = []
  let from = 0
  for (let i = line.indexOf('#'); i >= 0; i = line.indexOf('#', i)) {
    let end = i
    while (end < line.length && line.charCodeAt(end) === 35) end++
    if (end - i >= LONG_RUN) {
      parts.push(line.slice(from, i), `#×${end - i}`)
      from = end
    }
    i = end
  }
  parts.push(line.slice(from))
  return parts.join('')
}
