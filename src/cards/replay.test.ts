import test from 'ava'
import { waitFor } from '../http/testkit.ts'
import { cabinetBalance } from '../ledger/index.ts'
import { makeCabinet } from '../payers/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { returnPath } from './notify.ts'
import { findOrder } from './orders.ts'
import { sweepCardOrders } from './sweeper.ts'
import {
  azericardEntry, paymentsFor, postCallback, startAtFake, startCardsHarness,
  startFakeAzericard, stateOf, type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let person = 7150

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  h = await startCardsHarness(t0.db, 'cards-replay', { azc: azericardEntry(fake.url) })
})

test.after.always(async () => {
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

const cabinet = () => makeCabinet(t0.db, person++)
const schedule = async (id: bigint) => {
  const row = await t0.db('card_orders').where({ id }).first('checks', 'next_check_at')
  return { checks: row.checks as number, next: (row.next_check_at as Date).getTime() }
}

/** The attacker's own order, declined at the hosted page: a validly signed callback. */
async function attackersCallback(amount: bigint) {
  const own = await startAtFake(h, 'azc', (await cabinet()).id, amount)
  return fake.sandbox.decide(own.orderNumber, 'decline')
}

test.serial('a declined callback replayed five times against a paid waiting order credits it '
  + 'once, with the references the status query reports', async (t) => {
  const replayed = await attackersCallback(700n)
  const victim = await cabinet()
  const v = await startAtFake(h, 'azc', victim.id, 700n)
  // The payer paid; the genuine callback is on its way (or lost with the browser tab).
  const genuine = fake.sandbox.decide(v.orderNumber, 'pay')
  const before = await schedule(v.id)

  const answers = []
  for (let i = 0; i < 5; i++) {
    answers.push((await postCallback(h, 'azc', { ...replayed, ORDER: v.orderNumber })).status)
  }
  t.deepEqual(answers, [200, 200, 200, 200, 200])
  const paid = await findOrder(t0.db, 'azc', v.orderNumber)
  t.is(paid?.state, 'paid')
  const atSandbox = fake.sandbox.orders.get(v.orderNumber)
  t.is(paid?.refs.rrn, atSandbox?.rrn)
  t.is(paid?.refs.intRef, atSandbox?.intRef)
  t.not(paid?.refs.rrn, replayed.RRN)
  t.true(h.lines.some((l) => l.level === 40 && /possible replay/.test(String(l.msg))))
  t.deepEqual(await schedule(v.id), before)

  t.is((await postCallback(h, 'azc', genuine)).status, 200)
  t.is((await paymentsFor(t0.db, 'azc', v.orderNumber)).length, 1)
  await waitFor(async () => (await cabinetBalance(t0.db, victim.id)) === 700n)
  await sweepCardOrders(h.ctx, h.processors, { now: new Date(Date.now() + 3 * 3600_000) })
  await new Promise((r) => setTimeout(r, 300))
  t.is(await cabinetBalance(t0.db, victim.id), 700n)
})

test.serial('replayed callbacks against an unpaid order change nothing and never push its '
  + 'next check; its own callback then credits it once', async (t) => {
  const replayed = await attackersCallback(900n)
  const victim = await cabinet()
  const v = await startAtFake(h, 'azc', victim.id, 900n)
  const before = await schedule(v.id)
  for (let i = 0; i < 5; i++) {
    t.is((await postCallback(h, 'azc', { ...replayed, ORDER: v.orderNumber })).status, 409)
  }
  t.is(await stateOf(t0.db, 'azc', v.orderNumber), 'redirected')
  t.deepEqual(await schedule(v.id), before)

  t.is((await postCallback(h, 'azc', fake.sandbox.decide(v.orderNumber, 'pay'))).status, 200)
  t.is((await paymentsFor(t0.db, 'azc', v.orderNumber)).length, 1)
  await waitFor(async () => (await cabinetBalance(t0.db, victim.id)) === 900n)
})

test.serial('a signed callback answers alike for an unknown order, another amount and an '
  + 'order not settled yet', async (t) => {
  const replayed = await attackersCallback(1100n)
  const other = await startAtFake(h, 'azc', (await cabinet()).id, 1200n)
  const same = await startAtFake(h, 'azc', (await cabinet()).id, 1100n)
  const answer = async (order: string) => {
    const r = await postCallback(h, 'azc', { ...replayed, ORDER: order })
    return `${r.status} ${r.body}`
  }
  const unknown = await answer('20261204999999')
  t.is(unknown, '409 NOT SETTLED')
  t.is(await answer(other.orderNumber), unknown)
  t.is(await answer(same.orderNumber), unknown)
  t.is(await stateOf(t0.db, 'azc', same.orderNumber), 'redirected')
})

test.serial('a signed browser return naming another order does not lead to its page',
  async (t) => {
    const replayed = await attackersCallback(1300n)
    const v = await startAtFake(h, 'azc', (await cabinet()).id, 1300n)
    const genuine = fake.sandbox.decide(v.orderNumber, 'pay')
    const post = (fields: Record<string, string>) => fetch(`${h.url}${returnPath('azc')}`,
      { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })

    const stolen = await post({ ...replayed, ORDER: v.orderNumber })
    t.is(stolen.status, 200)
    t.is(stolen.headers.get('location'), null)
    t.false((await stolen.text()).includes(v.publicId))
    const unknown = await post({ ...replayed, ORDER: '20261204999998' })
    t.is(unknown.status, 200)
    t.is(unknown.headers.get('location'), null)

    const own = await post(genuine)
    t.is(own.status, 303)
    t.is(own.headers.get('location'), `/kartla-odenis/sifaris/${v.publicId}`)
    t.is(await stateOf(t0.db, 'azc', v.orderNumber), 'paid')
  })

test.serial('a replayed paid callback naming another order is refused before any status query',
  async (t) => {
    const payer = await cabinet()
    const first = await startAtFake(h, 'azc', payer.id, 1400n)
    const captured = fake.sandbox.decide(first.orderNumber, 'pay')
    t.is((await postCallback(h, 'azc', captured)).status, 200)
    const second = await startAtFake(h, 'azc', payer.id, 1400n)
    const res = await postCallback(h, 'azc', { ...captured, ORDER: second.orderNumber })
    t.is(res.status, 409)
    t.is(fake.sandbox.statusQueries.get(second.orderNumber) ?? 0, 0)
    t.is(await stateOf(t0.db, 'azc', second.orderNumber), 'redirected')
    // The signature still covers the amount: the same callback with another AMOUNT is forged.
    const forged = await postCallback(h, 'azc', { ...captured, ORDER: second.orderNumber,
      AMOUNT: '15.00' })
    t.is(forged.status, 403)
  })
