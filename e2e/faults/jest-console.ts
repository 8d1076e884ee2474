// Jest's printed console entries, as it prints them after each file:
//     console.warn
//       the message
//
//       <code frame, for warn and error>
//       at Object.warn (file.js:3:11)
export interface ConsoleBlock {
  readonly type: string
  readonly message: string
  /** What follows the message: the code frame and the location. */
  readonly trailer: string
}

export function consoleBlocks(output: string): ConsoleBlock[] {
  const lines = output.split('\n')
  const blocks: ConsoleBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const header = /^(\s*)console\.(\w+)$/.exec(lines[i]!)
    if (!header) continue
    const indent = header[1]!.length + 2
    const message: string[] = []
    let j = i + 1
    for (; j < lines.length && lines[j]!.trim() !== ''; j++) message.push(lines[j]!.slice(indent))
    const trailer: string[] = []
    for (; j < lines.length; j++) {
      const line = lines[j]!
      if (/^\s*console\.\w+$/.test(line) || /^\S/.test(line) || /^\s*●/.test(line)) break
      trailer.push(line)
    }
    blocks.push({ type: header[2]!, message: message.join('\n'), trailer: trailer.join('\n') })
    i = j - 1
  }
  return blocks
}
