import test from 'ava'
import { issueVouchers } from '../../account/index.ts'
import { cabinetBalance } from '../../ledger/index.ts'
import { luhnCheckDigit } from '../../payments/code.ts'
import { loginRules } from '../limits.ts'
import { until, watchScrypt, type ScryptWatch } from '../scrypt-watch.ts'
import { shows } from '../testkit.ts'
import { redeemRules } from './index.ts'
import { accountMessages as say } from './messages.ts'
import { pagePassword, useAccountPages } from './testkit.ts'

// Guesses sent all at once at the account forms: each one that is checked
// has spent its point first.
const h = useAccountPages(test)
let watch: ScryptWatch
test.before(() => {
  watch = watchScrypt()
})
test.after.always(() => watch?.restore())

const count = (statuses: number[], status: number) =>
  statuses.filter((s) => s === status).length

async function voucher(): Promise<string> {
  const batch = await issueVouchers(h.db, { provider: 'kiosk', amount: 700n, count: 1,
    batch: `burst-${Math.random().toString(36).slice(2)}` })
  return (batch.vouchers[0] as { code: string }).code
}

/** A code with a right check digit that was never issued. */
const stranger = (i: number) => {
  const body = String(20_000_000_000_000 + i)
  return body + String(luhnCheckDigit(body))
}

test('thirty transfer passwords sent at once get only five checks, and the right one '
  + 'among them waits', async (t) => {
  const from = await h.open('AA0123456', '5ZX9K2L')
  const to = await h.open('AA7654321', '6BQ2M7T')
  const { password_hash: hash } = await h.db('cabinets').where({ id: from.id })
    .first('password_hash')
  const c = await h.login(from.number)
  await c.get('/kabinet/hesab/kocurme')
  const guesses = () => watch.checked(hash).filter((p) => p.startsWith('guess-')).length
  const statuses: number[] = []
  const open = watch.hold(hash, (p) => p !== pagePassword)
  let all
  try {
    all = Promise.all(Array.from({ length: 29 }, async (_, i) => {
      const res = await c.post('/kabinet/hesab/kocurme',
        { recipient: String(to.number), password: `guess-${i}` })
      statuses.push(res.status)
    }))
    await until(() => statuses.length + guesses() === 29, 'the burst')
    const right = await c.post('/kabinet/hesab/kocurme',
      { recipient: String(to.number), password: pagePassword })
    t.is(right.status, 429, 'the right password waits like the guesses')
    t.truthy(right.headers.get('retry-after'))
    t.false(right.text.includes('ƏMMƏDOVA'), 'no recipient name is shown')
  } finally {
    open()
  }
  await all
  t.is(guesses(), loginRules.account.points)
  t.is(count(statuses, 422), loginRules.account.points - 1)
  t.is(count(statuses, 429), 29 - (loginRules.account.points - 1))
  t.is((await h.db('transfer_intents').where({ from_cabinet: from.id })).length, 0)
})

test('twenty-five codes sent at once get only ten lookups, and a real code among them '
  + 'waits', async (t) => {
  const cab = await h.open('AZE10293847', '1TR5Q8W')
  const c = await h.login(cab.number)
  await c.get('/kabinet/hesab/artir')
  const good = await voucher()
  const statuses: number[] = []
  const limit = redeemRules.account.points
  // Lookups that got their point wait on the vouchers table until the test lets go.
  const trx = await h.db.transaction()
  let all
  try {
    await trx.raw('lock table vouchers in exclusive mode')
    all = Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const res = await c.post('/kabinet/hesab/artir', { code: stranger(i) })
      statuses.push(res.status)
    }))
    await until(() => statuses.length === 24 - limit, 'the refusals')
    const real = await c.post('/kabinet/hesab/artir', { code: good })
    t.is(real.status, 429, 'the real code waits like the guesses')
    const wait = Number(real.headers.get('retry-after'))
    t.true(wait > 0)
    t.true(shows(real.text, say.redeemLocked(Math.ceil(wait / 60))))
  } finally {
    await trx.commit()
  }
  await all
  t.is(count(statuses, 422), limit - 1)
  t.is(count(statuses, 429), 24 - (limit - 1))
  t.is(await cabinetBalance(h.db, cab.id), 0n)
  t.is((await h.db('vouchers').where({ code: good }).first('state')).state, 'issued')
})

test('a redeemed code sent again, at once or later, does not count as a guess', async (t) => {
  const cab = await h.open('AZE55501234', '3KD8P1Z')
  const c = await h.login(cab.number)
  await c.get('/kabinet/hesab/artir')
  const code = await voucher()
  const twice = await Promise.all(Array.from({ length: 3 }, () =>
    c.post('/kabinet/hesab/artir', { code })))
  t.deepEqual(twice.map((r) => r.status).sort(), [303, 422, 422])
  for (const r of twice.filter((x) => x.status === 422)) {
    t.true(shows(r.text, say.redeem.redeemed_here))
  }
  for (let i = 0; i < redeemRules.account.points + 2; i++) {
    const again = await c.post('/kabinet/hesab/artir', { code })
    t.is(again.status, 422)
    t.true(shows(again.text, say.redeem.redeemed_here))
  }
  const guesses: number[] = []
  for (let i = 0; i < redeemRules.account.points; i++) {
    guesses.push((await c.post('/kabinet/hesab/artir', { code: stranger(100 + i) })).status)
  }
  t.deepEqual(guesses, [...Array(redeemRules.account.points - 1).fill(422), 429],
    'all ten guesses were still there to spend')
  t.is(await cabinetBalance(h.db, cab.id), 700n)
})
