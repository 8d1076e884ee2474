// Progress lines on stderr ("isolated-test: probe 2 of about 5 ..."), with the time since the start.
export class Progress {
  private readonly started = Date.now()
  constructor(private readonly write: (text: string) => void = (t) => process.stderr.write(t)) {}

  elapsed(): number {
    return Date.now() - this.started
  }

  line(text: string): void {
    this.write(`isolated-test [${(this.elapsed() / 1000).toFixed(1)} s]: ${text}\n`)
  }
}
