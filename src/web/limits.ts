import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Db } from '../db.ts'

export interface LimitRule {
  /** Attempts allowed inside the window (a success gives its attempt back). */
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

/**
 * One guess that holds a point on each of its keys. `failed` keeps the points
 * spent; `release` gives back this attempt's own points, and nothing more.
 */
export type Attempt =
  | { ok: false; /** Seconds until a key frees up. */ wait: number }
  | {
    ok: true
    /** A wrong guess: returns the seconds its keys are now locked for, 0 when none. */
    failed(): Promise<number>
    /** Not a guess after all (the right password, a harmless repeat). */
    release(): Promise<void>
  }

/** Counts attempts per key in Postgres and locks a key that has used its points. */
export interface FailureLimiter {
  /**
   * Spends a point on each key before the guess is checked, in one atomic
   * statement per key, so a burst of parallel guesses gets no more checks
   * than the limit. Refused when any key has no point left.
   */
  attempt(keys: FailureKeys): Promise<Attempt>
  /** Seconds until the first locked key frees up, or 0 when none is locked. */
  lockedFor(keys: FailureKeys): Promise<number>
  /**
   * Counts one failure after the fact. Parallel requests all pass `lockedFor`
   * before any of them counts, so this suits only checks that leak nothing.
   */
  fail(keys: FailureKeys): Promise<number>
  /** Forgets an account's count: only for the holder proving who they are another way. */
  clearAccount(account: string): Promise<void>
}

const tableName = 'web_rate_limits'

function limiter(db: Db, prefix: string, rule: LimitRule): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: db,
    storeType: 'knex',
    tableName,
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

interface Slot { l: RateLimiterPostgres; rule: LimitRule; key: string }
type Held = Slot & { res: RateLimiterRes }

/** A limiter for one kind of failure, e.g. `failureLimiter(db, 'login', loginRules)`. */
export function failureLimiter(
  db: Db,
  name: string,
  rules: Record<'account' | 'address', LimitRule>,
): FailureLimiter {
  const byAccount = limiter(db, `${name}_account`, rules.account)
  const byAddress = limiter(db, `${name}_address`, rules.address)
  const slots = (keys: FailureKeys): Slot[] => [
    { l: byAddress, rule: rules.address, key: keys.address },
    ...(keys.account ? [{ l: byAccount, rule: rules.account, key: keys.account }] : []),
  ]

  // One point back, only into the window it was taken from: a window that
  // expired meanwhile must not start the next one below zero.
  const giveBack = (held: Held[]) => Promise.all(held.map(({ l, key }) =>
    db(tableName).where({ key: l.getKey(key) }).andWhere('expire', '>', Date.now())
      .andWhere('points', '>', 0).decrement('points', 1)))

  const lockedFor = async (keys: FailureKeys) => {
    const waits = await Promise.all(slots(keys).map(async ({ l, rule, key }) =>
      secondsLeft(await l.get(key), rule)))
    return Math.max(0, ...waits)
  }

  return {
    lockedFor,
    async attempt(keys) {
      // One key after the other, the address first: a guess the address
      // refuses never touches the account's count, and those that reach the
      // account are a subset of those the address let through.
      const held: Held[] = []
      for (const slot of slots(keys)) {
        let res: RateLimiterRes
        try {
          res = await slot.l.consume(slot.key)
        } catch (err) {
          await giveBack(held)
          if (!(err instanceof RateLimiterRes)) throw err
          return { ok: false, wait: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) }
        }
        held.push({ ...slot, res })
      }
      let settled = false
      const once = () => {
        if (settled) throw new Error('an attempt is settled once')
        settled = true
      }
      return {
        ok: true,
        async failed() {
          once()
          // The attempt that took a key's last point locks it.
          const waits = await Promise.all(held.map(async ({ l, rule, key, res }) => {
            if (res.consumedPoints < rule.points) return 0
            await l.block(key, rule.blockSec)
            return rule.blockSec
          }))
          return Math.max(0, ...waits)
        },
        async release() {
          once()
          await giveBack(held)
        },
      }
    },
    async fail(keys) {
      for (const { l, rule, key } of slots(keys)) {
        const res = await l.penalty(key, 1)
        if (res.consumedPoints >= rule.points) await l.block(key, rule.blockSec)
      }
      return lockedFor(keys)
    },
    async clearAccount(account) {
      await byAccount.delete(account)
    },
  }
}
