import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from '../log.ts'

/** The queue of payments waiting to be posted to the ledger. */
export const creditsQueueName = 'credits'

/** Job data carries the payment id only: no personal data ever sits in Redis. */
export interface CreditJob {
  paymentId: string
  /** More payments accepted in the same turn as `paymentId`, posted with it. */
  alsoIds?: string[]
}

/** BullMQ refuses all-digit ids and ':' in ids, so the payment id gets a prefix. */
export function creditJobId(paymentId: bigint): string {
  return `p-${paymentId}`
}

export interface CreditsQueue {
  queue: Queue<CreditJob>
  connection: Redis
  prefix: string
  close(): Promise<void>
}

/**
 * The producer side. Commands fail at once while Redis is away (no offline
 * queue): the payment is already committed and the sweeper enqueues it later.
 */
export function createCreditsQueue(redisUrl: string, prefix: string, log: Logger)
  : CreditsQueue {
  const connection = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  })
  // Reconnection is automatic; a listener keeps an outage from crashing the process.
  connection.on('error', (err) => log.warn({ err }, 'credits queue: redis connection error'))
  const queue = new Queue<CreditJob>(creditsQueueName, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 500 },
      // Completed ids are dropped, so the sweeper can re-add a payment that a
      // finished job did not post.
      removeOnComplete: true,
      removeOnFail: true,
    },
  })
  queue.on('error', (err) => log.warn({ err }, 'credits queue error'))
  return {
    queue,
    connection,
    prefix,
    async close() {
      await queue.close()
      connection.disconnect()
    },
  }
}

/**
 * Adds one job per payment; an id already waiting or running is left alone.
 * Gives up after `timeoutMs`: BullMQ waits without limit for a Redis that was
 * never reached, and a payer must not wait for a wake-up call.
 */
export async function enqueueCredits(q: CreditsQueue, paymentIds: bigint[],
  timeoutMs = 2000): Promise<void> {
  if (paymentIds.length === 0) return
  await withinTime(q.queue.addBulk(paymentIds.map((id) => ({
    name: 'post',
    data: { paymentId: id.toString() },
    opts: { jobId: creditJobId(id) },
  }))), timeoutMs)
}

/**
 * One job for payments accepted together, keyed by the first one's id: the
 * worker posts them in one batch, and Redis sees one job instead of many.
 * Each payment is still in Postgres; the sweeper covers any the job misses.
 */
export async function enqueueCreditGroup(q: CreditsQueue, paymentIds: bigint[],
  timeoutMs = 2000): Promise<void> {
  const [first, ...rest] = paymentIds
  if (first === undefined) return
  await withinTime(q.queue.add('post', { paymentId: first.toString(),
    ...(rest.length ? { alsoIds: rest.map(String) } : {}) }, { jobId: creditJobId(first) }),
  timeoutMs)
}

/** Waits for `adding` at most `timeoutMs`; it is left to finish or fail on its own. */
export async function withinTime(adding: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`redis did not take the jobs within ${timeoutMs} ms`)), timeoutMs)
  })
  adding.catch(() => {})
  try {
    await Promise.race([adding, timeout])
  } finally {
    clearTimeout(timer)
  }
}
