import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Db } from '../db.ts'

export interface LimitRule {
  /** Failures allowed inside the window. */
  points: number
  windowSec: number
  /** How long a key stays locked once it used up its points. */
  blockSec: number
}

/** Failed logins: per cabinet (or typed reference) and per client address. */
export const loginRules: Record<'account' | 'address', LimitRule> = {
  account: { points: 5, windowSec: 15 * 60, blockSec: 15 * 60 },
  address: { points: 20, windowSec: 15 * 60, blockSec: 15 * 60 },
}

/** Registry lookups that failed: generous, but enough to stop walking the registry. */
export const lookupRules: Record<'account' | 'address', LimitRule> = {
  account: { points: 10, windowSec: 15 * 60, blockSec: 15 * 60 },
  address: { points: 30, windowSec: 15 * 60, blockSec: 15 * 60 },
}

export interface FailureKeys {
  address: string
  /** The cabinet id when the reference resolved, else the normalised reference. */
  account?: string
}

/** Counts failures per key in Postgres and locks a key that has used its points. */
export interface FailureLimiter {
  /** Seconds until the first locked key frees up, or 0 when none is locked. */
  lockedFor(keys: FailureKeys): Promise<number>
  /** Counts one failure on each key; returns lockedFor after it. */
  fail(keys: FailureKeys): Promise<number>
  /** A success clears the account's count (the address keeps its own). */
  succeed(account: string): Promise<void>
}

function limiter(db: Db, prefix: string, rule: LimitRule): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: db,
    storeType: 'knex',
    tableName: 'web_rate_limits',
    tableCreated: true,
    keyPrefix: prefix,
    points: rule.points,
    duration: rule.windowSec,
  })
}

function secondsLeft(res: RateLimiterRes | null, rule: LimitRule): number {
  if (!res || res.consumedPoints < rule.points) return 0
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000))
}

/** A limiter for one kind of failure, e.g. `failureLimiter(db, 'login', loginRules)`. */
export function failureLimiter(
  db: Db,
  name: string,
  rules: Record<'account' | 'address', LimitRule>,
): FailureLimiter {
  const byAccount = limiter(db, `${name}_account`, rules.account)
  const byAddress = limiter(db, `${name}_address`, rules.address)
  const pairs = (keys: FailureKeys) => [
    { l: byAddress, rule: rules.address, key: keys.address },
    ...(keys.account ? [{ l: byAccount, rule: rules.account, key: keys.account }] : []),
  ]

  const lockedFor = async (keys: FailureKeys) => {
    const waits = await Promise.all(pairs(keys).map(async ({ l, rule, key }) =>
      secondsLeft(await l.get(key), rule)))
    return Math.max(0, ...waits)
  }

  return {
    lockedFor,
    async fail(keys) {
      for (const { l, rule, key } of pairs(keys)) {
        const res = await l.penalty(key, 1)
        if (res.consumedPoints >= rule.points) await l.block(key, rule.blockSec)
      }
      return lockedFor(keys)
    },
    async succeed(account) {
      await byAccount.delete(account)
    },
  }
}
