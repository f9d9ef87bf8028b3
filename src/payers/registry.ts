import type { Config } from '../config.ts'
import type { Db, Trx } from '../db.ts'
import { GatewayError, isGatewayError } from '../errors.ts'
import { log as rootLog, type Logger } from '../log.ts'
import { parseDocument } from './formats.ts'
import { toPerson, type Person, type RawPerson } from './person.ts'

/** The population registry, behind which person data lives. */
export interface PopulationRegistry {
  /** The person holding this document now, or null when the registry has no such document. */
  findByDocument(document: string): Promise<Person | null>
}

const peopleColumns = [
  'document', 'fin', 'surname', 'name', 'patronymic', 'sex', 'citizenship', 'district',
  'address',
]

/** The development registry: the `people` table, loaded with `people:import`. */
export function localRegistry(db: Db | Trx): PopulationRegistry {
  return {
    async findByDocument(document) {
      const { document: canonical } = parseDocument(document)
      const row = await db('people').where({ document: canonical })
        .first([...peopleColumns, db.raw(`to_char(birth_date, 'YYYY-MM-DD') as birth_date`)])
      return row ? toPerson(row as RawPerson) : null
    },
  }
}

export interface HttpRegistryOptions {
  timeoutMs?: number
  log?: Logger
}

/**
 * The production registry: `GET {url}/people/{document}` answers a person as
 * JSON with the registry file's field names, or 404. A timeout, a network
 * fault, a 5xx or an unreadable answer is GatewayError 'unavailable'.
 */
export function httpRegistry(url: string, opts: HttpRegistryOptions = {}): PopulationRegistry {
  const base = url.replace(/\/+$/, '')
  const timeoutMs = opts.timeoutMs ?? 5000
  const log = (opts.log ?? rootLog).child({ component: 'registry' })
  return {
    async findByDocument(document) {
      const { document: canonical } = parseDocument(document)
      const started = performance.now()
      const outcome = await fetchPerson(`${base}/people/${encodeURIComponent(canonical)}`,
        timeoutMs).catch((err: unknown) => {
        const ms = Math.round(performance.now() - started)
        log.warn({ err, ms }, 'population registry lookup failed')
        throw isGatewayError(err) ? err : unavailable('population registry is unreachable', err)
      })
      const ms = Math.round(performance.now() - started)
      log.info({ status: outcome.status, ms }, 'population registry lookup')
      if (outcome.person && outcome.person.document !== canonical) {
        throw unavailable('population registry answered for another document')
      }
      return outcome.person
    },
  }
}

async function fetchPerson(url: string, timeoutMs: number)
  : Promise<{ status: number; person: Person | null }> {
  let res: Response
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError'
    throw unavailable(timedOut
      ? `population registry did not answer within ${timeoutMs} ms`
      : 'population registry is unreachable', err)
  }
  if (res.status === 404) {
    await res.body?.cancel()
    return { status: 404, person: null }
  }
  if (res.status !== 200) {
    await res.body?.cancel()
    throw unavailable(`population registry answered HTTP ${res.status}`)
  }
  let body: unknown
  try {
    body = await res.json()
  } catch (err) {
    throw unavailable('population registry answered with unreadable JSON', err)
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw unavailable('population registry answered with something other than a person')
  }
  try {
    return { status: 200, person: toPerson(body as RawPerson) }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw unavailable(`population registry answered with an invalid person: ${reason}`)
  }
}

function unavailable(message: string, cause?: unknown): GatewayError {
  const err = new GatewayError('unavailable', message)
  if (cause !== undefined) err.cause = cause
  return err
}

/** The registry the configuration names (`REGISTRY_DRIVER`). */
export function createRegistry(
  config: Pick<Config, 'registryDriver' | 'registryUrl'>,
  db: Db,
): PopulationRegistry {
  if (config.registryDriver === 'http') {
    if (!config.registryUrl) {
      throw new GatewayError('internal', 'REGISTRY_URL is required when REGISTRY_DRIVER=http')
    }
    return httpRegistry(config.registryUrl)
  }
  return localRegistry(db)
}
