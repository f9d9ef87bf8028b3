import type { Db } from '../db.ts'
import { enqueueCredits, type CreditsQueue } from '../queue/credits.ts'

export interface SweepOptions {
  /** Only payments accepted at least this long ago; younger ones are in flight. */
  olderThanMs: number
  limit?: number
}

/** Accepted payments still waiting to be posted, oldest first. */
export async function unpostedPayments(db: Db, opts: SweepOptions): Promise<bigint[]> {
  return await db('payments').where({ state: 'accepted' })
    .andWhere('received_at', '<', db.raw(`now() - make_interval(secs => ?)`,
      [opts.olderThanMs / 1000]))
    .orderBy('received_at').limit(opts.limit ?? 5000).pluck('id') as bigint[]
}

/**
 * Re-enqueues accepted payments that should have been posted by now: after a
 * lost job, a flushed Redis or a killed worker. Postgres holds the truth, and
 * posting is idempotent per payment, so a spare job costs nothing.
 */
export async function sweepAccepted(db: Db, credits: CreditsQueue, opts: SweepOptions)
  : Promise<bigint[]> {
  const ids = await unpostedPayments(db, opts)
  await enqueueCredits(credits, ids)
  return ids
}
