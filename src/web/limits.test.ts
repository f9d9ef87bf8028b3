import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { failureLimiter, loginRules } from './limits.ts'

const ctx = useDb(test)

test('an account is locked after its allowed failures, with the wait', async (t) => {
  const limiter = failureLimiter(ctx.db, 't1', loginRules)
  const keys = { address: '192.0.2.1', account: '17' }
  for (let i = 1; i < loginRules.account.points; i++) {
    t.is(await limiter.fail(keys), 0, `failure ${i} does not lock`)
  }
  const wait = await limiter.fail(keys)
  t.true(wait > loginRules.account.blockSec - 5 && wait <= loginRules.account.blockSec)
  t.true(await limiter.lockedFor({ address: '192.0.2.99', account: '17' }) > 0,
    'the account stays locked from another address')
  t.is(await limiter.lockedFor({ address: '192.0.2.1', account: '18' }), 0,
    'the address alone is not locked yet')
})

test('an address is locked after failures spread over many accounts', async (t) => {
  const limiter = failureLimiter(ctx.db, 't2', loginRules)
  for (let i = 0; i < loginRules.address.points; i++) {
    await limiter.fail({ address: '198.51.100.7', account: `acct-${i}` })
  }
  t.true(await limiter.lockedFor({ address: '198.51.100.7', account: 'fresh' }) > 0)
  t.is(await limiter.lockedFor({ address: '198.51.100.8', account: 'fresh' }), 0)
})

test('a success clears the account count', async (t) => {
  const limiter = failureLimiter(ctx.db, 't3', loginRules)
  const keys = { address: '203.0.113.5', account: '42' }
  for (let i = 1; i < loginRules.account.points; i++) await limiter.fail(keys)
  await limiter.succeed('42')
  t.is(await limiter.fail(keys), 0)
})
