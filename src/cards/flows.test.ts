import test from 'ava'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { macSource, rsaMacFields, rsaSign } from '../../adapters/azericard/mac.ts'
import { waitFor } from '../http/testkit.ts'
import { cabinetBalance } from '../ledger/index.ts'
import { makeCabinet } from '../payers/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { findOrder } from './orders.ts'
import type { CardProcessor } from './processor.ts'
import { settleOrder } from './settle.ts'
import { sweepCardOrders } from './sweeper.ts'
import {
  azericardEntry, orderInTrx, paymentsFor, postCallback, startAtFake, startCardsHarness,
  startFakeAzericard, stateOf, testKeys, type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let person = 7100

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  h = await startCardsHarness(t0.db, 'cards-flows', { azc: azericardEntry(fake.url) })
})

test.after.always(async () => {
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

const later = () => new Date(Date.now() + 60 * 60_000)
const processor = () => h.processors.get('azc') as CardProcessor
const cabinet = () => makeCabinet(t0.db, person++)
const warned = (message: RegExp) =>
  h.lines.some((l) => l.level === 40 && message.test(String(l.msg)))

test.serial.beforeEach(() => {
  fake.sandbox.behaviour.statusDelayMs = 0
  fake.sandbox.behaviour.statusHttpError = false
  delete fake.sandbox.behaviour.reportAmount
})

test.serial('a paid callback credits the cabinet once, through the payments inbox', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 5000n)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
  const res = await postCallback(h, 'azc', fake.sandbox.decide(order.orderNumber, 'pay'))
  t.is(res.status, 200)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
  const [payment] = await paymentsFor(t0.db, 'azc', order.orderNumber)
  t.is(payment.source, 'card')
  t.is(payment.amount, 5000n)
  t.is(payment.cabinet_id, c.id)
  t.regex(payment.payment_code, /^\d{15}$/)
  await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 5000n)
  const paid = await findOrder(t0.db, 'azc', order.orderNumber)
  t.is(paid?.paymentId, payment.id)
  t.truthy(paid?.refs.rrn)
  t.false(order.orderNumber.includes(String(c.number)))
  t.false(order.orderNumber.includes(c.person.documentNumber.slice(2)))
})

test.serial('a declined callback declines the order and credits nothing', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 1234n)
  const res = await postCallback(h, 'azc', fake.sandbox.decide(order.orderNumber, 'decline'))
  t.is(res.status, 200)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'declined')
  t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 0)
})

test.serial('a replayed callback, sent three times at once and again later, credits once',
  async (t) => {
    const c = await cabinet()
    const order = await startAtFake(h, 'azc', c.id, 2500n)
    const fields = fake.sandbox.decide(order.orderNumber, 'pay')
    const answers = await Promise.all([1, 2, 3].map(() => postCallback(h, 'azc', fields)))
    t.deepEqual(answers.map((a) => a.status), [200, 200, 200])
    t.is((await postCallback(h, 'azc', fields)).status, 200)
    t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 1)
    await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 2500n)
    await new Promise((r) => setTimeout(r, 300))
    t.is(await cabinetBalance(t0.db, c.id), 2500n)
  })

test.serial('a callback before the order row commits changes nothing; the sweep pays it',
  async (t) => {
    const c = await cabinet()
    let orderNumber = ''
    const trx = await t0.db.transaction()
    try {
      const order = await orderInTrx(trx, h, 'azc', c.id, 700n)
      orderNumber = order.orderNumber
      const res = await postCallback(h, 'azc', fake.sandbox.decide(orderNumber, 'pay'))
      t.is(res.status, 409)
      t.true(warned(/unknown order/))
      await trx.commit()
    } catch (err) {
      await trx.rollback()
      throw err
    }
    t.is(await stateOf(t0.db, 'azc', orderNumber), 'redirected')
    const report = await sweepCardOrders(h.ctx, h.processors, { now: later() })
    t.true(report.paid >= 1)
    t.is(await stateOf(t0.db, 'azc', orderNumber), 'paid')
    t.is((await paymentsFor(t0.db, 'azc', orderNumber)).length, 1)
  })

test.serial('a callback, the browser return and the sweeper racing credit once', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 990n)
  const fields = fake.sandbox.decide(order.orderNumber, 'pay')
  await Promise.all([
    postCallback(h, 'azc', fields),
    sweepCardOrders(h.ctx, h.processors, { now: later() }),
    settleOrder(h.ctx, processor(), order.orderNumber, { trigger: 'return' }),
    postCallback(h, 'azc', fields),
    sweepCardOrders(h.ctx, h.processors, { now: later() }),
  ])
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
  t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 1)
  await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 990n)
})

test.serial('a lost callback is recovered by the sweeper with a status query', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 4200n)
  fake.sandbox.decide(order.orderNumber, 'pay')
  const before = fake.sandbox.statusQueries.get(order.orderNumber) ?? 0
  await sweepCardOrders(h.ctx, h.processors, { now: later() })
  t.true((fake.sandbox.statusQueries.get(order.orderNumber) ?? 0) > before)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
  await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 4200n)
})

test.serial('a callback with a forged signature is refused and changes nothing', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 5000n)
  const fields = fake.sandbox.decide(order.orderNumber, 'pay')
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const forged = { ...fields,
    P_SIGN: rsaSign(attacker.privateKey, macSource(fields, rsaMacFields.callback)) }
  const res = await postCallback(h, 'azc', forged)
  t.is(res.status, 403)
  t.true(warned(/callback refused/))
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
  t.is((fake.sandbox.statusQueries.get(order.orderNumber) ?? 0), 0)
  const unsigned: Record<string, string> = { ...fields }
  delete unsigned.P_SIGN
  t.is((await postCallback(h, 'azc', unsigned)).status, 403)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
})

test.serial('a validly signed callback for another amount or currency changes nothing',
  async (t) => {
    const c = await cabinet()
    const order = await startAtFake(h, 'azc', c.id, 5000n)
    fake.sandbox.behaviour.reportAmount = '1.00'
    const cheap = fake.sandbox.decide(order.orderNumber, 'pay')
    t.is((await postCallback(h, 'azc', cheap)).status, 409)
    t.true(warned(/callback refused/))
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
    delete fake.sandbox.behaviour.reportAmount
    const dollars = { ...fake.sandbox.decide(order.orderNumber, 'pay'), CURRENCY: '840' }
    t.is((await postCallback(h, 'azc', dollars)).status, 409)
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
    t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 0)
  })

test.serial('a status answer with another amount is never credited and is logged as an error',
  async (t) => {
    const c = await cabinet()
    const order = await startAtFake(h, 'azc', c.id, 5000n)
    fake.sandbox.decide(order.orderNumber, 'pay')
    fake.sandbox.behaviour.reportAmount = '5000.00'
    const r = await settleOrder(h.ctx, processor(), order.orderNumber, { trigger: 'sweep' })
    t.is(r.status, 'pending')
    t.true(h.lines.some((l) => l.level === 50 && /other terms/.test(String(l.msg))))
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
    t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 0)
  })

test.serial('a signed callback re-posted naming another order of the same amount is refused',
  async (t) => {
    const c = await cabinet()
    const first = await startAtFake(h, 'azc', c.id, 3000n)
    const captured = fake.sandbox.decide(first.orderNumber, 'pay')
    t.is((await postCallback(h, 'azc', captured)).status, 200)
    const second = await startAtFake(h, 'azc', c.id, 3000n)
    const replay = await postCallback(h, 'azc', { ...captured, ORDER: second.orderNumber })
    t.is(replay.status, 409)
    t.true(warned(/reference belongs to another order|callback refused/))
    t.is(await stateOf(t0.db, 'azc', second.orderNumber), 'redirected')
    t.is((await paymentsFor(t0.db, 'azc', second.orderNumber)).length, 0)
  })

test.serial('a processor that times out leaves the order pending, never failed', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 1500n)
  const fields = fake.sandbox.decide(order.orderNumber, 'pay')
  fake.sandbox.behaviour.statusDelayMs = 1500
  const res = await postCallback(h, 'azc', fields)
  t.is(res.status, 409)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
  fake.sandbox.behaviour.statusDelayMs = 0
  fake.sandbox.behaviour.statusHttpError = true
  t.is((await settleOrder(h.ctx, processor(), order.orderNumber, { trigger: 'sweep' })).status,
    'pending')
  fake.sandbox.behaviour.statusHttpError = false
  await sweepCardOrders(h.ctx, h.processors, { now: later() })
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
})

test.serial('a paid order stays paid when a stale declined answer arrives later', async (t) => {
  const c = await cabinet()
  const order = await startAtFake(h, 'azc', c.id, 800n)
  const paidFields = fake.sandbox.decide(order.orderNumber, 'pay')
  t.is((await postCallback(h, 'azc', paidFields)).status, 200)
  const stale = { ...paidFields, ACTION: '2', RC: '05' }
  t.is((await postCallback(h, 'azc', stale)).status, 200)
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
  await t.throwsAsync(t0.db('card_orders').where({ order_number: order.orderNumber })
    .update({ state: 'redirected' }), { message: /cannot go from paid to redirected/ })
})

test.serial('a callback for an order number we never made changes nothing', async (t) => {
  const gatewayKey = createPrivateKey(testKeys.gateway.privateKey)
  const fields = { TERMINAL: '17202191', ORDER: '20261204000001', AMOUNT: '10.00',
    APPROVAL: '123456', RRN: '111122223333', INT_REF: 'ABCDEF0123456789', ACTION: '0' }
  const res = await postCallback(h, 'azc', { ...fields,
    P_SIGN: rsaSign(gatewayKey, macSource(fields, rsaMacFields.callback)) })
  t.is(res.status, 409)
  t.is(await t0.db('card_orders').where({ order_number: '20261204000001' }).first(), undefined)
})
