import test from 'ava'
import { makeCabinet } from '../payers/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import {
  createOrder, expireByOperator, mintOrderNumber, type OrderState,
} from './orders.ts'

let t0: TestDb
test.before(async () => {
  t0 = await freshDb({ min: 0, max: 4 })
})
test.after.always(async () => {
  if (t0) await dropDb(t0)
})

test('an order number is the UTC date and six digits, whatever the local zone says', (t) => {
  // 01:30 in Baku is still the previous day in UTC.
  const n = mintOrderNumber(new Date('2026-12-05T01:30:00+04:00'))
  t.regex(n, /^20261204\d{6}$/)
  t.regex(mintOrderNumber(new Date('2026-12-31T23:59:59Z')), /^20261231\d{6}$/)
})

test('order number suffixes come from the CSPRNG and spread over all six digits', (t) => {
  const at = new Date('2026-12-04T10:00:00Z')
  const suffixes = new Set(Array.from({ length: 2000 }, () => mintOrderNumber(at).slice(8)))
  t.true(suffixes.size > 1990)
  t.true([...suffixes].some((s) => s.startsWith('0')))
})

const moves: Array<[OrderState, OrderState, boolean]> = [
  ['created', 'redirected', true], ['created', 'paid', true], ['created', 'declined', true],
  ['created', 'expired', true], ['redirected', 'paid', true], ['redirected', 'declined', true],
  ['redirected', 'expired', true], ['paid', 'reversed', true], ['expired', 'paid', true],
  ['redirected', 'created', false], ['paid', 'redirected', false], ['paid', 'declined', false],
  ['paid', 'expired', false], ['declined', 'paid', false], ['expired', 'declined', false],
  ['expired', 'redirected', false], ['reversed', 'paid', false], ['declined', 'redirected', false],
]

let person = 7900
for (const [from, to, allowed] of moves) {
  const verb = allowed ? 'lets an order go' : 'will not move an order'
  test(`the database ${verb} from ${from} to ${to}`, async (t) => {
    const n = person++
    const c = await makeCabinet(t0.db, n)
    const o = await createOrder(t0.db, { processor: 'p', cabinetId: c.id, amount: 100n,
      channel: 'public' })
    // Put the row in `from` directly, paying through a payment row when needed.
    const payment = ['paid', 'reversed'].includes(from) || ['paid', 'reversed'].includes(to)
      ? (await t0.db('payments').insert({ provider: 'p', external_id: o.orderNumber,
        source: 'card', payer_ref: 'x', cabinet_id: c.id, amount: 100n, fingerprint: 'x',
        payment_code: String(100000000000000n + BigInt(n)) }).returning('id'))[0].id
      : null
    const steps: Record<OrderState, OrderState[]> = {
      created: [], redirected: ['redirected'], paid: ['paid'], declined: ['declined'],
      expired: ['expired'], reversed: ['paid', 'reversed'],
    }
    for (const s of steps[from]) {
      await t0.db('card_orders').where({ id: o.id }).update({ state: s,
        payment_id: ['paid', 'reversed'].includes(s) ? payment : null })
    }
    const move = t0.db('card_orders').where({ id: o.id }).update({ state: to,
      payment_id: ['paid', 'reversed'].includes(to) ? payment : null })
    if (allowed) await t.notThrowsAsync(move)
    else await t.throwsAsync(move, { message: new RegExp(`cannot go from ${from} to ${to}`) })
  })
}

test('an operator expires a waiting order with a note, and only a waiting one', async (t) => {
  const c = await makeCabinet(t0.db, 7990)
  const o = await createOrder(t0.db, { processor: 'p', cabinetId: c.id, amount: 100n,
    channel: 'public' })
  const expired = await expireByOperator(t0.db, 'p', o.orderNumber, 'expired by ops: past window')
  t.is(expired?.state, 'expired')
  t.is(expired?.detail, 'expired by ops: past window')
  t.is(await expireByOperator(t0.db, 'p', o.orderNumber, 'again'), null)
  t.is(await expireByOperator(t0.db, 'p', '20990101000000', 'unknown'), null)
})
