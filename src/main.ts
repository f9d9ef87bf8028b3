import { createServer, type Server } from 'node:http'
import { configureProviders } from '../adapters/index.ts'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig, type Config } from './config.ts'
import { closeContext, createContext, type AppContext, type ContextOverrides } from './context.ts'
import { ensureDatabase, migrateLatest } from './db.ts'
import { createLogger } from './log.ts'
import { loadProvidersFile } from './providers.ts'
import { loadQueueSettings } from './queue/settings.ts'
import { startCreditWorker, type CreditWorker } from './worker/index.ts'
import { startCardSweeper } from './cards/sweeper.ts'
import { cardProcessors } from './cards/processors.ts'

export interface Running {
  ctx: AppContext
  server: Server
  worker?: CreditWorker
  /** Stops taking work, finishes what is in flight, then closes connections. */
  stop(): Promise<void>
}

/** Validates everything before touching a database, so a bad value stops the start. */
export function validate(env: NodeJS.ProcessEnv = process.env): ContextOverrides & {
  config: Config
} {
  const config = loadConfig(env)
  const queueSettings = loadQueueSettings(env)
  const providers = loadProvidersFile(config.providersFile, env)
  configureProviders(providers)
  return { config, queueSettings, providers }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs)
    server.close(() => {
      clearTimeout(force)
      resolve()
    })
    // Keep-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections()
  })
}

/** Migrates, then runs the gateway, the worker or both, as ROLE says. */
export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const { config, ...overrides } = validate(env)
  const log = createLogger(config.logLevel)
  await ensureDatabase(config.databaseUrl).catch((err: unknown) => {
    throw new Error(`DATABASE_URL: cannot reach Postgres: ${(err as Error).message}`)
  })
  const ctx = createContext(config, { ...overrides, log })
  const applied = await migrateLatest(ctx.db)
  log.info({ applied: applied.length }, 'database migrated')

  let worker: CreditWorker | undefined
  let cardSweeper: { stop(): Promise<void> } | undefined
  // A worker-only process serves no routes but /healthz, /readyz and /metrics.
  const server = createServer(
    buildApp(ctx, config.role === 'worker' ? [] : undefined).callback())
  await listen(server, config.port, config.host)
  log.info({ host: config.host, port: config.port, role: config.role }, 'listening')
  if (config.role !== 'gateway') {
    worker = startCreditWorker(ctx)
    log.info({ concurrency: ctx.queueSettings.concurrency }, 'credits worker started')
    cardSweeper = startCardSweeper(ctx, () => cardProcessors(ctx))
  }
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      await closeServer(server, 10_000)
      await cardSweeper?.stop()
      if (worker) await worker.close()
      await closeContext(ctx)
      log.info('stopped')
    })()
    return stopping
  }
  return { ctx, server, worker, stop }
}

async function main(): Promise<void> {
  let running: Running
  try {
    running = await start()
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    process.stderr.write(`cabinet-gateway: ${reason}\n`)
    process.exit(err instanceof ConfigError ? 2 : 1)
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.ctx.log.info({ signal }, 'shutting down')
      running.stop().then(() => process.exit(0), (err: unknown) => {
        running.ctx.log.error({ err }, 'shutdown failed')
        process.exit(1)
      })
    })
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))
if (isMain) await main()
