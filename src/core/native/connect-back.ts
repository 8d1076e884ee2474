// The worker's end of the children's own channels. A forked child connects, in C before any of its
// JavaScript runs, three times to one unix socket the worker listens on (an abstract name: nothing on
// disk to clean up), each connection announced by a 16-byte header: "ITC1", request id, child pid, kind
// (0 channel, 1 stdout, 2 stderr, 3 a stack answer). This matches them to the request and hands the
// sockets over; a stack answer (the child's stack thread, native/src/stack.c) is read to its end and
// handed to whoever asked for it.
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'

export interface ChildSockets {
  readonly pid: number
  /** Messages both ways; the child wraps its end (ForkRequest.channelFd) in a net.Socket. */
  readonly channel: Socket
  /** The child's fd 1 and 2 (and whatever inherits them). */
  readonly stdout: Socket
  readonly stderr: Socket
}

const HEADER = 16
const MAGIC = 0x31435449 // "ITC1" little-endian
const KINDS = ['channel', 'stdout', 'stderr'] as const
type Kind = (typeof KINDS)[number]
const STACK_KIND = 3
/** A stack answer is small text (frames and the source maps of their scripts); more is not an answer. */
const STACK_MAX_BYTES = 16 << 20

interface Pending {
  pid?: number
  sockets: Partial<Record<Kind, Socket>>
  resolve?: (sockets: ChildSockets) => void
}

export class ConnectBackServer {
  readonly address: string
  readonly #server: Server
  readonly #pending = new Map<number, Pending>()
  readonly #stackWaiters = new Map<number, (text: string) => void>()

  private constructor(address: string, server: Server) {
    this.address = address
    this.#server = server
    server.on('connection', (socket) => this.#accept(socket))
  }

  /** Listens on a fresh abstract address. */
  static listen(): Promise<ConnectBackServer> {
    const address = `\0isolated-test-${process.pid}-${randomBytes(6).toString('hex')}`
    const server = createServer({ pauseOnConnect: true })
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(address, () => {
        server.off('error', reject)
        resolve(new ConnectBackServer(address, server))
      })
    })
  }

  /** The three sockets of request `id`, once all have connected (they may already have). */
  sockets(id: number): Promise<ChildSockets> {
    const entry = this.#entry(id)
    return new Promise((resolve) => {
      entry.resolve = resolve
      this.#settle(id, entry)
    })
  }

  /** The next stack answer of request `id`'s child (asked by signalling it). One question at a time per child. */
  stackAnswer(id: number): Promise<string> {
    return new Promise((resolve) => {
      this.#stackWaiters.set(id, (text) => {
        this.#stackWaiters.delete(id)
        resolve(text)
      })
    })
  }

  /** Drops what is known of a request whose child will not connect (it exited first). */
  forget(id: number): void {
    const entry = this.#pending.get(id)
    this.#pending.delete(id)
    for (const socket of Object.values(entry?.sockets ?? {})) socket.destroy()
  }

  /** Whether waiting for connections keeps the event loop alive. */
  hold(on: boolean): void {
    if (on) this.#server.ref()
    else this.#server.unref()
  }

  close(): void {
    this.#server.close()
    for (const id of [...this.#pending.keys()]) this.forget(id)
  }

  #entry(id: number): Pending {
    let entry = this.#pending.get(id)
    if (!entry) this.#pending.set(id, (entry = { sockets: {} }))
    return entry
  }

  #accept(socket: Socket): void {
    socket.on('error', () => socket.destroy())
    const onReadable = (): void => {
      const header = socket.read(HEADER) as Buffer | null
      if (!header) return
      socket.off('readable', onReadable)
      if (header.readUInt32LE(0) !== MAGIC) return void socket.destroy()
      const id = header.readUInt32LE(4)
      if (header[12] === STACK_KIND) return this.#readStack(id, socket)
      const kind = KINDS[header[12] ?? 99]
      if (!kind) return void socket.destroy()
      const entry = this.#entry(id)
      entry.pid = header.readUInt32LE(8)
      entry.sockets[kind] = socket
      this.#settle(id, entry)
    }
    // A 'readable' listener starts reading (pauseOnConnect held it) without switching to flowing mode.
    socket.on('readable', onReadable)
  }

  #readStack(id: number, socket: Socket): void {
    const chunks: Buffer[] = []
    let size = 0
    const take = (): void => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) {
        size += chunk.length
        if (size > STACK_MAX_BYTES) return void socket.destroy()
        chunks.push(chunk)
      }
    }
    socket.on('readable', take)
    take()
    socket.once('end', () => {
      take()
      socket.destroy()
      this.#stackWaiters.get(id)?.(Buffer.concat(chunks).toString('utf8'))
    })
  }

  #settle(id: number, entry: Pending): void {
    const { channel, stdout, stderr } = entry.sockets
    if (!entry.resolve || !channel || !stdout || !stderr || entry.pid === undefined) return
    this.#pending.delete(id)
    // They stay paused (header reads left them so): the consumer attaches readers, then resume()s or pipe()s.
    entry.resolve({ pid: entry.pid, channel, stdout, stderr })
  }
}
