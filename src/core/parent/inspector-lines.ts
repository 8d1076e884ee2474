// A forked child opens its inspector (the parent asks it where it is stuck), and Node prints about it on
// stderr. Those lines are ours, not the test's: they are dropped, everything else passes unchanged.
import { Transform } from 'node:stream'

/** Lines Node prints about the child's inspector, which we open for stuck frames: not the test's output. */
const INSPECTOR_LINES = [/^Debugger listening on ws:\/\/\S+$/, /^Debugger ending on ws:\/\/\S+$/, /^For help, see: https:\/\/nodejs\.org\/\S*$/, /^Debugger attached\.$/, /^Waiting for the debugger to disconnect\.\.\.$/]
const INSPECTOR_STARTS = ['Debugger listening on ws://', 'Debugger ending on ws://', 'For help, see: https://nodejs.org/', 'Debugger attached.', 'Waiting for the debugger to disconnect...']

/** Drops Node's inspector lines from the child's stderr; everything else passes, unchanged and unheld. */
export class InspectorLinesFilter extends Transform {
  /** The start of a line that may still turn out to be one of those (held until its newline). */
  private held = ''
  private atLineStart = true

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    let text = this.held + chunk.toString('latin1')
    this.held = ''
    let out = ''
    while (text.length > 0) {
      const nl = text.indexOf('\n')
      const line = nl < 0 ? text : text.slice(0, nl)
      const maybeOurs = this.atLineStart && INSPECTOR_STARTS.some((start) => start.startsWith(line) || line.startsWith(start))
      if (nl < 0) {
        // An unfinished line: hold it only while it may be ours.
        if (maybeOurs) this.held = line
        else out += line
        if (!maybeOurs) this.atLineStart = false
        break
      }
      if (!(this.atLineStart && INSPECTOR_LINES.some((re) => re.test(line)))) out += `${line}\n`
      this.atLineStart = true
      text = text.slice(nl + 1)
    }
    done(null, Buffer.from(out, 'latin1'))
  }

  override _flush(done: (error?: Error | null, data?: Buffer) => void): void {
    done(null, Buffer.from(this.held, 'latin1'))
  }
}
