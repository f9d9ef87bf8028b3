import { UnrecoverableError, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { AppContext } from '../context.ts'
import { unpostedPayments } from '../payments/sweep.ts'
import { creditsQueueName, enqueueCredits, type CreditJob } from '../queue/credits.ts'
import { CreditFlusher } from './flusher.ts'

export interface CreditWorker {
  flusher: CreditFlusher
  /** One sweep now: re-enqueue and post what is overdue. Returns how many were overdue. */
  sweep(): Promise<number>
  /** Stops taking jobs, finishes the ones running, then lets go of Redis. */
  close(): Promise<void>
}

/** True when the promise settled within `ms`; it is left to run otherwise. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([p.then(() => true, () => true), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The credits worker: BullMQ jobs wake a batched flush, and a periodic sweep
 * re-enqueues (and posts) accepted payments that no job carried to the end.
 */
export function startCreditWorker(ctx: AppContext, opts: { closeGraceMs?: number } = {})
  : CreditWorker {
  const settings = ctx.queueSettings
  const log = ctx.log.child({ component: 'credits-worker' })
  const flusher = new CreditFlusher(ctx, settings.batchSize)
  const connection = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: null })
  connection.on('error', (err) => log.warn({ err }, 'credits worker: redis connection error'))

  const worker = new Worker<CreditJob>(creditsQueueName, async (job) => {
    const ids = [job.data?.paymentId, ...(job.data?.alsoIds ?? [])]
    if (!ids.every((id) => typeof id === 'string' && /^\d{1,19}$/.test(id))) {
      throw new UnrecoverableError(`job ${job.id} names no payment id`)
    }
    await flusher.flush(...ids.map((id) => BigInt(id as string)))
  }, { connection, prefix: settings.prefix, concurrency: settings.concurrency })
  worker.on('failed', (job, err) =>
    log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'credit job failed'))
  worker.on('error', (err) => log.error({ err }, 'credits worker error'))

  let sweeping: Promise<number> | null = null
  const sweepOnce = async (): Promise<number> => {
    const ids = await unpostedPayments(ctx.db, { olderThanMs: settings.sweepAfterMs })
    if (ids.length === 0) return 0
    ctx.metrics.sweeperReenqueued.inc(ids.length)
    log.warn({ payments: ids.length }, 'sweeper found accepted payments left unposted')
    try {
      await enqueueCredits(ctx.queues.credits, ids)
    } catch (err) {
      log.warn({ err }, 'sweeper could not enqueue; posting directly')
    }
    await flusher.flush()
    return ids.length
  }
  const sweep = () => {
    sweeping ??= sweepOnce().finally(() => {
      sweeping = null
    })
    return sweeping
  }
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => log.warn({ err }, 'sweep failed'))
  }, settings.sweepIntervalMs)
  timer.unref()

  return {
    flusher,
    sweep,
    async close() {
      clearInterval(timer)
      // BullMQ waits without limit for a Redis it never reached; a stop must not.
      const grace = opts.closeGraceMs ?? 10_000
      if (!await within(worker.close(), grace)) {
        log.warn('credits worker did not close in time; its jobs return as stalled')
        connection.disconnect()
        await within(worker.disconnect(), 1000)
      }
      await sweeping?.catch(() => {})
      await flusher.idle()
      connection.disconnect()
    },
  }
}
