// crypto.randomUUID() hands out 16-byte slices of a 128-UUID batch of random bytes, refilled when its
// index wraps to 0. If the zygote used part of a batch, every forked child would hand out the same
// remaining UUIDs. The batch index is private to node:internal/crypto/random, so read it through the
// inspector (it is a closure variable of randomUUID) and draw until it wraps: then each child's first
// call refills from the OS. Run in the zygote, once, after the last import and before forking.
import { randomUUID } from 'node:crypto'
import { Session } from 'node:inspector'

export type UuidCacheReset =
  | { readonly state: 'ok'; readonly drawn: number }
  | { readonly state: 'unknown'; readonly reason: string }

interface RemoteObject {
  objectId?: string
  value?: unknown
}
interface PropertyDescriptor {
  name: string
  value?: RemoteObject
}
interface Properties {
  result: PropertyDescriptor[]
  internalProperties?: PropertyDescriptor[]
}

const GLOBAL_NAME = '__isolatedTestRandomUUID'

export function resetUuidCache(): UuidCacheReset {
  const session = new Session()
  session.connect()
  const g = globalThis as Record<string, unknown>
  try {
    g[GLOBAL_NAME] = randomUUID
    const batch = readBatch(session)
    if (typeof batch === 'string') return { state: 'unknown', reason: batch }
    const drawn = batch.index === 0 ? 0 : batch.size - batch.index
    for (let i = 0; i < drawn; i++) randomUUID()
    const after = readBatch(session)
    if (typeof after === 'string' || after.index !== 0) return { state: 'unknown', reason: `the batch index is ${typeof after === 'string' ? after : after.index} after drawing` }
    return { state: 'ok', drawn }
  } catch (error) {
    return { state: 'unknown', reason: (error as Error).message }
  } finally {
    delete g[GLOBAL_NAME]
    session.disconnect()
  }
}

// In-process sessions answer synchronously.
function post<T>(session: Session, method: string, params: object): T {
  let result: T | undefined
  let failure: Error | null = null
  session.post(method, params, (error, res) => {
    failure = error
    result = res as T
  })
  if (failure) throw failure
  if (result === undefined) throw new Error(`${method} did not answer synchronously`)
  return result
}

function readBatch(session: Session): { index: number; size: number } | string {
  const fn = post<{ result: RemoteObject }>(session, 'Runtime.evaluate', { expression: `globalThis.${GLOBAL_NAME}` }).result
  if (!fn.objectId) return 'randomUUID is not reachable'
  const own = post<Properties>(session, 'Runtime.getProperties', { objectId: fn.objectId, ownProperties: true })
  const scopes = own.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId
  if (!scopes) return 'randomUUID has no [[Scopes]]'
  for (const scope of post<Properties>(session, 'Runtime.getProperties', { objectId: scopes, ownProperties: true }).result) {
    if (!scope.value?.objectId) continue
    const vars = post<Properties>(session, 'Runtime.getProperties', { objectId: scope.value.objectId, ownProperties: true }).result
    const index = vars.find((v) => v.name === 'uuidBatch')?.value?.value
    if (typeof index !== 'number') continue
    const size = vars.find((v) => v.name === 'kBatchSize')?.value?.value
    return { index, size: typeof size === 'number' ? size : 128 }
  }
  return `no uuidBatch variable in randomUUID's scopes (Node ${process.version} changed its internals)`
}
