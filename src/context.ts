import type { Config } from './config.ts'
import { createDb, type Db } from './db.ts'
import { createMetrics, type Metrics } from './http/metrics.ts'
import { log as rootLog, type Logger } from './log.ts'
import { createRegistry, type PopulationRegistry } from './payers/index.ts'
import { loadProvidersFile, type ProvidersFile } from './providers.ts'
import { createCreditsQueue, type CreditsQueue } from './queue/credits.ts'
import { loadQueueSettings, type QueueSettings } from './queue/settings.ts'

/** Everything a request handler, a job or a command needs, built once per process. */
export interface AppContext {
  config: Config
  queueSettings: QueueSettings
  db: Db
  log: Logger
  /** The providers file, validated by `src/providers.ts`; adapters validate their options. */
  providers: ProvidersFile
  registry: PopulationRegistry
  /** Producer handles; workers open their own blocking connections. */
  queues: { credits: CreditsQueue }
  metrics: Metrics
}

export type ContextOverrides = Partial<Omit<AppContext, 'config'>>

/**
 * Builds the context from validated configuration. Tests pass overrides (their
 * own database, providers or queue prefix); anything not given is built here.
 */
export function createContext(config: Config, overrides: ContextOverrides = {}): AppContext {
  const log = overrides.log ?? rootLog
  const db = overrides.db ?? createDb(config.databaseUrl)
  const queueSettings = overrides.queueSettings ?? loadQueueSettings()
  return {
    config,
    queueSettings,
    db,
    log,
    providers: overrides.providers ?? loadProvidersFile(config.providersFile),
    registry: overrides.registry ?? createRegistry(config, db),
    queues: overrides.queues
      ?? { credits: createCreditsQueue(config.redisUrl, queueSettings.prefix, log) },
    metrics: overrides.metrics ?? createMetrics(),
  }
}

/** Lets go of Redis and Postgres; call after the server and the worker have stopped. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queues.credits.close()
  await ctx.db.destroy()
}
