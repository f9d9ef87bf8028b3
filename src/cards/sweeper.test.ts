import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { runCommand } from '../cli/cli-run.testkit.ts'
import { waitFor } from '../http/testkit.ts'
import { cabinetBalance } from '../ledger/index.ts'
import { makeCabinet } from '../payers/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { checkOrder } from './check.ts'
import { findOrder, type CardOrder } from './orders.ts'
import type { CardProcessor } from './processor.ts'
import { finalCheckAt } from './schedule.ts'
import { sweepCardOrders } from './sweeper.ts'
import {
  azericardEntry, paymentsFor, postCallback, startAtFake, startCardsHarness,
  startFakeAzericard, stateOf, type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let person = 7250
let providersFile = ''

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  h = await startCardsHarness(t0.db, 'cards-sweeper', { azc: azericardEntry(fake.url) })
  providersFile = path.join(mkdtempSync(path.join(tmpdir(), 'cards-sweep-')), 'providers.json')
  writeFileSync(providersFile, JSON.stringify({ providers: { azc: azericardEntry(fake.url) } }))
})

test.after.always(async () => {
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

test.serial.beforeEach(async () => {
  fake.sandbox.behaviour.statusDelayMs = 0
  fake.sandbox.behaviour.statusHttpError = false
  // Each test starts with no waiting order of an earlier one.
  await t0.db('card_orders').whereIn('state', ['created', 'redirected'])
    .update({ state: 'expired' })
})

const processor = () => h.processors.get('azc') as CardProcessor
const errored = (message: RegExp) =>
  h.lines.some((l) => l.level === 50 && message.test(String(l.msg)))

/** A waiting order created `age` ago, due for a check now. */
async function waitingOrder(amount: bigint, age: number) {
  const c = await makeCabinet(t0.db, person++)
  const order = await startAtFake(h, 'azc', c.id, amount)
  await t0.db('card_orders').where({ id: order.id })
    .update({ created_at: new Date(Date.now() - age), next_check_at: new Date(Date.now() - 1) })
  return { c, order: (await findOrder(t0.db, 'azc', order.orderNumber)) as CardOrder }
}

async function cli(...args: string[]) {
  const env = process.env.PROVIDERS_FILE
  process.env.PROVIDERS_FILE = providersFile
  try {
    return await runCommand(t0.url, args)
  } finally {
    if (env === undefined) delete process.env.PROVIDERS_FILE
    else process.env.PROVIDERS_FILE = env
  }
}

test.serial('an order whose final status query says paid at the window end is paid, not expired',
  async (t) => {
    const { c, order } = await waitingOrder(4400n, day - 20 * minute)
    // And one whose window has passed (the sweeper was down): still asked, never expired blind.
    const late = await waitingOrder(4500n, day + 5 * minute)
    for (const o of [order, late.order]) fake.sandbox.decide(o.orderNumber, 'pay')
    const before = fake.sandbox.statusQueries.get(order.orderNumber) ?? 0
    const report = await sweepCardOrders(h.ctx, h.processors)
    t.is(fake.sandbox.statusQueries.get(order.orderNumber), before + 1)
    t.like(report, { paid: 2, expired: 0, unresolved: 0 })
    for (const o of [order, late.order]) {
      t.is(await stateOf(t0.db, 'azc', o.orderNumber), 'paid')
      t.is((await paymentsFor(t0.db, 'azc', o.orderNumber)).length, 1)
    }
    await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 4400n)
    await waitFor(async () => (await cabinetBalance(t0.db, late.c.id)) === 4500n)
  })

test.serial('an order the processor has no payment for expires at its final check, not before',
  async (t) => {
    const { order } = await waitingOrder(500n, day - 40 * minute)
    await t0.db('card_orders').where({ id: order.id }).update({ checks: 6 })
    const early = await sweepCardOrders(h.ctx, h.processors)
    t.like(early, { checked: 1, pending: 1, expired: 0, unresolved: 0 })
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
    // Sixty minutes would pass the window's end: the next check is the final one instead.
    const row = await t0.db('card_orders').where({ id: order.id }).first('next_check_at')
    const last = finalCheckAt(order.createdAt, processor().statusWindowMs)
    t.is((row.next_check_at as Date).getTime(), last.getTime())

    const queries = fake.sandbox.statusQueries.get(order.orderNumber) ?? 0
    const final = await sweepCardOrders(h.ctx, h.processors, { now: new Date(last.getTime() + 1) })
    t.is(fake.sandbox.statusQueries.get(order.orderNumber), queries + 1)
    t.like(final, { expired: 1, unresolved: 0 })
    const expired = await findOrder(t0.db, 'azc', order.orderNumber)
    t.is(expired?.state, 'expired')
    t.regex(expired?.detail ?? '', /action=3 rc=-24/)
  })

test.serial('a final status query that times out leaves the order waiting and the sweep '
  + 'reports it; cards sweep exits 1', async (t) => {
  const { order } = await waitingOrder(650n, day - 10 * minute)
  fake.sandbox.decide(order.orderNumber, 'pay')
  fake.sandbox.behaviour.statusDelayMs = 1500
  const report = await sweepCardOrders(h.ctx, h.processors)
  t.like(report, { checked: 1, pending: 1, expired: 0, paid: 0, unresolved: 1 })
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
  t.true(errored(/final check has no final answer/))
  // Later runs keep reporting it while it waits, though its next check is not due.
  t.like(await sweepCardOrders(h.ctx, h.processors), { checked: 0, unresolved: 1 })

  await t0.db('card_orders').where({ id: order.id }).update({ next_check_at: new Date(0) })
  const sweep = await cli('cards', 'sweep', '--json')
  t.is(sweep.code, 1, sweep.stderr)
  t.like(JSON.parse(sweep.stdout), { unresolved: '1', expired: '0' })
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')

  // The processor answers again: the next sweep credits the order.
  fake.sandbox.behaviour.statusDelayMs = 0
  await t0.db('card_orders').where({ id: order.id }).update({ next_check_at: new Date(0) })
  t.like(await sweepCardOrders(h.ctx, h.processors), { paid: 1, unresolved: 0 })
  t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 1)
})

test.serial('an order past its window that the processor no longer knows waits for an operator',
  async (t) => {
    const { order } = await waitingOrder(300n, day + hour)
    const report = await sweepCardOrders(h.ctx, h.processors)
    t.like(report, { checked: 1, expired: 0, unresolved: 1 })
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'redirected')
  })

test.serial('an expired order the processor later reports paid is credited by its callback',
  async (t) => {
    const { c, order } = await waitingOrder(1800n, day - 10 * minute)
    t.like(await sweepCardOrders(h.ctx, h.processors), { expired: 1 })
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'expired')

    const fields = fake.sandbox.decide(order.orderNumber, 'pay')
    t.is((await postCallback(h, 'azc', fields)).status, 200)
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
    t.true(h.lines.some((l) => l.level === 40 && /credited late/.test(String(l.msg))))
    t.is((await postCallback(h, 'azc', fields)).status, 200)
    t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 1)
    await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 1800n)
  })

test.serial('an operator query credits an expired order the processor reports paid', async (t) => {
  const { c, order } = await waitingOrder(2100n, day - 10 * minute)
  t.like(await sweepCardOrders(h.ctx, h.processors), { expired: 1 })
  const show = await cli('cards', 'show', 'azc', order.orderNumber, '--query', '--json')
  t.is(show.code, 0, show.stderr)
  t.like(JSON.parse(show.stdout), { state: 'expired' })
  t.regex(JSON.parse(show.stdout).processor_says, /^absent /)

  fake.sandbox.decide(order.orderNumber, 'pay')
  const expired = (await findOrder(t0.db, 'azc', order.orderNumber)) as CardOrder
  const check = await checkOrder(h.ctx, processor(), expired)
  t.is(check.answer?.outcome, 'paid')
  t.is(check.order.state, 'paid')
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
  t.is((await paymentsFor(t0.db, 'azc', order.orderNumber)).length, 1)
  await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 2100n)
})
