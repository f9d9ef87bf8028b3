import { z } from 'zod'
import { ConfigError } from '../config.ts'

/** Queue and worker tuning, read from the environment beside the main config. */
export interface QueueSettings {
  /** BullMQ key prefix; tests and side-by-side installs use their own. */
  prefix: string
  /** Jobs one worker process runs at once; each waits for a batched flush. */
  concurrency: number
  /** Payments posted per ledger transaction at most. */
  batchSize: number
  /** How often the sweeper looks for accepted payments left unposted. */
  sweepIntervalMs: number
  /** How old an accepted payment must be before the sweeper re-enqueues it. */
  sweepAfterMs: number
}

const int = (min: number, max: number, fallback: number) =>
  z.string().regex(/^\d{1,7}$/, 'must be a whole number').default(String(fallback))
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)

const schema = z.object({
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_{}-]{1,40}$/,
    'must be 1 to 40 letters, digits, _ - { }').default('cg'),
  WORKER_CONCURRENCY: int(1, 1000, 64),
  CREDIT_BATCH_SIZE: int(1, 5000, 500),
  SWEEP_INTERVAL_MS: int(100, 600_000, 2000),
  SWEEP_AFTER_MS: int(0, 3_600_000, 3000),
})

export function loadQueueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  }
  const e = parsed.data
  return {
    prefix: e.QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    batchSize: e.CREDIT_BATCH_SIZE,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    sweepAfterMs: e.SWEEP_AFTER_MS,
  }
}
