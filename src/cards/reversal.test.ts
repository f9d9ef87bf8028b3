import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import { runCommand } from '../cli/cli-run.testkit.ts'
import type { GatewayError } from '../errors.ts'
import { waitFor } from '../http/testkit.ts'
import { accountId, cabinetAccount, cabinetBalance, post } from '../ledger/index.ts'
import { makeCabinet } from '../payers/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import type { CardProcessor } from './processor.ts'
import { reverseOrder } from './reversal.ts'
import {
  azericardEntry, postCallback, startAtFake, startCardsHarness, startFakeAzericard, stateOf,
  type CardsHarness, type FakeAzericard,
} from './testkit.ts'

let t0: TestDb
let fake: FakeAzericard
let h: CardsHarness
let person = 7300
const operator = { operator: 'test-operator', reason: 'payer asked for a refund' }

test.before(async () => {
  t0 = await freshDb()
  fake = await startFakeAzericard()
  h = await startCardsHarness(t0.db, 'cards-reversal', { azc: azericardEntry(fake.url) })
})

test.after.always(async () => {
  await h?.close()
  await fake?.close()
  if (t0) await dropDb(t0)
})

const processor = () => h.processors.get('azc') as CardProcessor

async function paidOrder(amount: bigint) {
  const c = await makeCabinet(t0.db, person++)
  const order = await startAtFake(h, 'azc', c.id, amount)
  await postCallback(h, 'azc', fake.sandbox.decide(order.orderNumber, 'pay'))
  await waitFor(async () => (await t0.db('payments')
    .where({ provider: 'azc', external_id: order.orderNumber }).first('state'))?.state === 'posted')
  return { c, order }
}

test.serial('a confirmed reversal debits the cabinet and marks order and payment reversed',
  async (t) => {
    const { c, order } = await paidOrder(5000n)
    t.is(await cabinetBalance(t0.db, c.id), 5000n)
    const r = await reverseOrder(h.ctx, processor(), order.orderNumber, operator)
    t.is(r.outcome, 'reversed')
    t.true(r.debited)
    t.is(fake.sandbox.orders.get(order.orderNumber)?.state, 'reversed')
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'reversed')
    t.is(await cabinetBalance(t0.db, c.id), 0n)
    const payment = await t0.db('payments').where({ external_id: order.orderNumber }).first()
    t.is(payment.state, 'reversed')
    const tx = await t0.db('ledger_transactions')
      .where({ idempotency_key: `card-reversal:azc:${order.orderNumber}` }).first()
    t.is(tx.kind, 'reversal')
    t.is(tx.metadata.paymentCode, payment.payment_code)
    await t.throwsAsync(reverseOrder(h.ctx, processor(), order.orderNumber, operator),
      { message: /is reversed, not paid/ })
  })

test.serial('a reversal is refused before the processor when the money was spent', async (t) => {
  const { c, order } = await paidOrder(3000n)
  await post(t0.db, { key: `spend-${order.orderNumber}`, kind: 'charge', legs: [
    { account: await cabinetAccount(t0.db, c.id), amount: -2000n },
    { account: await accountId(t0.db, { kind: 'revenue', service: 'exam' }), amount: 2000n },
  ] })
  const err = await t.throwsAsync<GatewayError>(
    reverseOrder(h.ctx, processor(), order.orderNumber, operator))
  t.is(err?.code, 'insufficient_funds')
  t.is(fake.sandbox.orders.get(order.orderNumber)?.state, 'paid')
  t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
})

test.serial('an unconfirmed reversal leaves the order paid and the cabinet untouched',
  async (t) => {
    const { c, order } = await paidOrder(1200n)
    fake.sandbox.behaviour.statusHttpError = true
    try {
      const r = await reverseOrder(h.ctx, processor(), order.orderNumber, operator)
      t.is(r.outcome, 'unknown')
      t.false(r.debited)
    } finally {
      fake.sandbox.behaviour.statusHttpError = false
    }
    t.is(await stateOf(t0.db, 'azc', order.orderNumber), 'paid')
    t.is(await cabinetBalance(t0.db, c.id), 1200n)
  })

test.serial('the operator command line sweeps and reverses card orders', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cards-cli-'))
  const file = path.join(dir, 'providers.json')
  writeFileSync(file, JSON.stringify({ providers: { azc: azericardEntry(fake.url) } }))
  const env = process.env.PROVIDERS_FILE
  process.env.PROVIDERS_FILE = file
  try {
    const c = await makeCabinet(t0.db, person++)
    const lost = await startAtFake(h, 'azc', c.id, 700n)
    fake.sandbox.decide(lost.orderNumber, 'pay')
    await t0.db('card_orders').where({ id: lost.id }).update({ next_check_at: new Date(0) })
    const sweep = await runCommand(t0.url, ['cards', 'sweep', '--json'])
    t.is(sweep.code, 0, sweep.stderr)
    t.true(JSON.parse(sweep.stdout).paid >= 1)
    t.is(await stateOf(t0.db, 'azc', lost.orderNumber), 'paid')

    await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 700n)
    const reverse = await runCommand(t0.url, ['cards', 'reverse', 'azc', lost.orderNumber,
      '--reason', 'duplicate payment', '--operator', 'tester'])
    t.is(reverse.code, 0, reverse.stderr)
    t.regex(reverse.stdout, /reversed/)
    const show = await runCommand(t0.url, ['cards', 'show', 'azc', lost.orderNumber, '--json'])
    t.is(JSON.parse(show.stdout).state, 'reversed')
    const unknown = await runCommand(t0.url, ['cards', 'show', 'nope', '1'])
    t.is(unknown.code, 2)
  } finally {
    if (env === undefined) delete process.env.PROVIDERS_FILE
    else process.env.PROVIDERS_FILE = env
  }
})
