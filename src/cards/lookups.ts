import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Db } from '../db.ts'

/** Pay-page lookups per client address, found or not: each shows a masked name. */
export const lookupRule = { points: 20, windowSec: 15 * 60 }

export interface LookupLimiter {
  /**
   * Spends one of the address's lookups before the lookup runs, in one atomic
   * statement, so parallel requests cannot overrun the limit. Returns 0 when
   * the lookup may go ahead, else the seconds until the address may try again.
   */
  take(address: string): Promise<number>
}

export function lookupLimiter(db: Db, rule = lookupRule): LookupLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: db,
    storeType: 'knex',
    tableName: 'web_rate_limits',
    tableCreated: true,
    keyPrefix: 'card_lookup_address',
    points: rule.points,
    duration: rule.windowSec,
  })
  return {
    async take(address) {
      try {
        await limiter.consume(address)
        return 0
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err
        return Math.max(1, Math.ceil(err.msBeforeNext / 1000))
      }
    },
  }
}

/** "Too many lookups" in Azerbaijani, with the wait in whole minutes. */
export function tooManyLookups(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  return `Çox sayda sorğu göndərildi. ${minutes} dəqiqədən sonra yenidən cəhd edin.`
}
