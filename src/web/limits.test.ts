import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { failureLimiter, loginRules, type Attempt, type FailureLimiter } from './limits.ts'

const ctx = useDb(test)

async function go(limiter: FailureLimiter, keys: { address: string; account?: string })
  : Promise<Extract<Attempt, { ok: true }>> {
  const attempt = await limiter.attempt(keys)
  if (!attempt.ok) throw new Error(`refused, wait ${attempt.wait}`)
  return attempt
}

test('an account is locked by the failure that used its last point, with the wait',
  async (t) => {
    const limiter = failureLimiter(ctx.db, 't1', loginRules)
    const keys = { address: '192.0.2.1', account: '17' }
    for (let i = 1; i < loginRules.account.points; i++) {
      t.is(await (await go(limiter, keys)).failed(), 0, `failure ${i} does not lock`)
    }
    const wait = await (await go(limiter, keys)).failed()
    t.true(wait > loginRules.account.blockSec - 5 && wait <= loginRules.account.blockSec)
    const elsewhere = await limiter.attempt({ address: '192.0.2.99', account: '17' })
    t.false(elsewhere.ok, 'the account stays locked from another address')
    if (!elsewhere.ok) t.true(elsewhere.wait > loginRules.account.blockSec - 5)
    t.true((await limiter.attempt({ address: '192.0.2.1', account: '18' })).ok,
      'the address alone is not locked yet')
  })

test('an address is locked after failures spread over many accounts', async (t) => {
  const limiter = failureLimiter(ctx.db, 't2', loginRules)
  for (let i = 0; i < loginRules.address.points; i++) {
    await (await go(limiter, { address: '198.51.100.7', account: `acct-${i}` })).failed()
  }
  t.false((await limiter.attempt({ address: '198.51.100.7', account: 'fresh' })).ok)
  t.true((await limiter.attempt({ address: '198.51.100.8', account: 'fresh' })).ok)
})

test('thirty attempts at once on one account let only the limit through', async (t) => {
  const limiter = failureLimiter(ctx.db, 't3', loginRules)
  const keys = { address: '203.0.113.9', account: 'burst' }
  const attempts = await Promise.all(Array.from({ length: 30 }, () => limiter.attempt(keys)))
  t.is(attempts.filter((a) => a.ok).length, loginRules.account.points)
  for (const a of attempts) if (!a.ok) t.true(a.wait > 0)
})

test('a released attempt gives back its own point and nothing more', async (t) => {
  const limiter = failureLimiter(ctx.db, 't4', loginRules)
  const keys = { address: '203.0.113.5', account: '42' }
  for (let i = 0; i < 3; i++) await (await go(limiter, keys)).failed()
  await (await go(limiter, keys)).release()
  const left = await Promise.all(Array.from({ length: 5 }, () => limiter.attempt(keys)))
  t.is(left.filter((a) => a.ok).length, loginRules.account.points - 3,
    'the three failures still count')
})

test('an attempt is settled once', async (t) => {
  const limiter = failureLimiter(ctx.db, 't5', loginRules)
  const attempt = await go(limiter, { address: '203.0.113.6', account: 'once' })
  await attempt.release()
  await t.throwsAsync(() => attempt.release())
  await t.throwsAsync(() => attempt.failed())
})

test('an attempt the account refuses gives its address point back', async (t) => {
  const limiter = failureLimiter(ctx.db, 't6', loginRules)
  const address = '198.51.100.20'
  for (let i = 0; i < loginRules.account.points; i++) {
    await (await go(limiter, { address, account: 'locked' })).failed()
  }
  for (let i = 0; i < 10; i++) {
    t.false((await limiter.attempt({ address, account: 'locked' })).ok)
  }
  const others = await Promise.all(Array.from({ length: loginRules.address.points },
    (_, i) => limiter.attempt({ address, account: `other-${i}` })))
  t.is(others.filter((a) => a.ok).length,
    loginRules.address.points - loginRules.account.points)
})

test('a point given back after its window ended is not carried into the next', async (t) => {
  const rule = { points: 2, windowSec: 1, blockSec: 1 }
  const limiter = failureLimiter(ctx.db, 't7', { account: rule, address: rule })
  const keys = { address: '198.51.100.30', account: 'slow' }
  const slow = await go(limiter, keys)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await slow.release()
  const next = await Promise.all(Array.from({ length: 4 }, () => limiter.attempt(keys)))
  t.is(next.filter((a) => a.ok).length, rule.points)
})

test('clearing an account forgets its count', async (t) => {
  const limiter = failureLimiter(ctx.db, 't8', loginRules)
  const keys = { address: '203.0.113.7', account: '43' }
  for (let i = 0; i < loginRules.account.points; i++) await (await go(limiter, keys)).failed()
  t.false((await limiter.attempt({ ...keys, address: '203.0.113.8' })).ok)
  await limiter.clearAccount('43')
  t.true((await limiter.attempt({ ...keys, address: '203.0.113.8' })).ok)
})

test('failures counted after the fact still lock, for checks that leak nothing',
  async (t) => {
    const limiter = failureLimiter(ctx.db, 't9', loginRules)
    const keys = { address: '192.0.2.50', account: '77' }
    for (let i = 1; i < loginRules.account.points; i++) t.is(await limiter.fail(keys), 0)
    t.true(await limiter.fail(keys) > 0)
    t.true(await limiter.lockedFor({ address: '192.0.2.51', account: '77' }) > 0)
    t.is(await limiter.lockedFor({ address: '192.0.2.51', account: '78' }), 0)
  })
