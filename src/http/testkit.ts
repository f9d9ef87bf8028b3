import { randomBytes, randomInt } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { buildApp } from '../app.ts'
import { loadConfig, type Config } from '../config.ts'
import { closeContext, createContext, type AppContext, type ContextOverrides } from '../context.ts'
import type { Db } from '../db.ts'
import { redactPaths, type Logger } from '../log.ts'
import { cabinetNumberFromBase } from '../payers/index.ts'
import type { ProvidersFile } from '../providers.ts'
import type { QueueSettings } from '../queue/settings.ts'
import { startCreditWorker, type CreditWorker } from '../worker/index.ts'

/** A logger that keeps every line, so tests can assert what was (not) logged. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l))
      done()
    },
  })
  const log = pino({ level: 'debug', redact: { paths: redactPaths, censor: '[redacted]' } },
    sink)
  return { log, lines }
}

export function testPrefix(name: string): string {
  return `cgt-${name}-${randomBytes(3).toString('hex')}`
}

/** Deletes this prefix's BullMQ keys (never anybody else's, never FLUSHALL). */
export async function deletePrefixKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  try {
    let deleted = 0
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) deleted += await redis.del(...keys)
    } while (cursor !== '0')
    return deleted
  } finally {
    redis.disconnect()
  }
}

export interface Harness {
  ctx: AppContext
  config: Config
  url: string
  server: Server
  worker?: CreditWorker
  lines: Array<Record<string, unknown>>
  close(): Promise<void>
}

export interface HarnessOptions {
  db: Db
  providers: ProvidersFile
  prefix: string
  worker?: boolean
  settings?: Partial<QueueSettings>
  overrides?: ContextOverrides
  env?: NodeJS.ProcessEnv
}

/** The gateway on an ephemeral port over a test database, with its own queue prefix. */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const config = loadConfig({ ...process.env, ...opts.env })
  const { log, lines } = captureLog()
  const ctx = createContext(config, {
    db: opts.db,
    log,
    providers: opts.providers,
    queueSettings: { prefix: opts.prefix, concurrency: 32, batchSize: 500,
      sweepIntervalMs: 500, sweepAfterMs: 1000, ...opts.settings },
    ...opts.overrides,
  })
  // Tests of a Redis outage point REDIS_URL nowhere: waiting is bounded.
  await Promise.race([ctx.queues.credits.queue.waitUntilReady(),
    new Promise((resolve) => setTimeout(resolve, 1500))])
  const server = createServer(buildApp(ctx).callback())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const worker = opts.worker ? startCreditWorker(ctx) : undefined
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    ctx, config, url, server, worker, lines,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await worker?.close()
      await ctx.queues.credits.close()
      await deletePrefixKeys(config.redisUrl, opts.prefix).catch(() => 0)
      // The test database belongs to the test file (useDb), which destroys it.
    },
  }
}

export { closeContext }

/** A demo-like OSMP network entry for tests. */
export function osmpNetwork(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocol: 'osmp', enabled: true, timeZone: 'Asia/Baku',
    allow: ['127.0.0.1/32', '::1/128'], minSum: '0.50', maxSum: '1000.00', ...extra }
}

export function providersOf(networks: Record<string, Record<string, unknown>>)
  : ProvidersFile {
  return { providers: networks, clients: {} } as ProvidersFile
}

// Cabinet numbers with a valid Damm digit, unique within one test process.
let base = BigInt(randomInt(100_000, 900_000)) * 1000n
export function nextCabinetNumber(): bigint {
  base += 1n
  return cabinetNumberFromBase(base)
}

/** GETs an OSMP URL and returns status, content type and body. */
export async function osmp(url: string, network: string, params: Record<string, string>,
  init: RequestInit = {}): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`${url}/terminal/${network}?${new URLSearchParams(params)}`, init)
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() }
}

/** The `<result>` of an OSMP reply. */
export function resultOf(body: string): number {
  const m = /<result>(\d+)<\/result>/.exec(body)
  if (!m) throw new Error(`no <result> in ${body}`)
  return Number(m[1])
}

export function tagOf(body: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1]
}

/** Polls until `check` returns true, or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms = 10_000, everyMs = 25)
  : Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
