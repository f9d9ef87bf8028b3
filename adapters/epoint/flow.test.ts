import type { AddressInfo } from 'node:net'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import test from 'ava'
import Koa from 'koa'
import { waitFor } from '../../src/http/testkit.ts'
import { cabinetBalance } from '../../src/ledger/index.ts'
import { makeCabinet } from '../../src/payers/testkit.ts'
import { settleOrder } from '../../src/cards/settle.ts'
import type { CardProcessor } from '../../src/cards/processor.ts'
import {
  paymentsFor, postCallback, startCardsHarness, stateOf, type CardsHarness,
} from '../../src/cards/testkit.ts'
import { startPayment } from '../../src/cards/start.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { decodePayload, encodePayload, signedForm, verifyEpointSignature } from './sign.ts'

const privateKey = 'epoint-test-private-key'
const publicKey = 'i000200001'

interface FakeTx { orderId: string; amount: string; status: string; code?: string }

/** A fake Epoint: signed base64 JSON in, JSON out, as `/api/1/*` answers. */
function fakeEpoint() {
  const txs = new Map<string, FakeTx>()
  let n = 0
  const router = new Router()
  const read = (body: unknown) => {
    const b = body as { data?: string; signature?: string }
    if (!b.data || !b.signature || !verifyEpointSignature(privateKey, b.data, b.signature)) {
      return null
    }
    return decodePayload(b.data)
  }
  router.post('/api/1/request', (ctx) => {
    const p = read(ctx.request.body)
    if (!p || p.public_key !== publicKey) {
      ctx.body = { status: 'error', message: 'signature' }
      return
    }
    const transaction = `te${String(++n).padStart(6, '0')}`
    txs.set(transaction, { orderId: String(p.order_id), amount: String(p.amount),
      status: 'new' })
    ctx.body = { status: 'success', transaction,
      redirect_url: `https://epoint.test/pay?t=${transaction}` }
  })
  router.post('/api/1/get-status', (ctx) => {
    const p = read(ctx.request.body)
    const tx = p ? txs.get(String(p.transaction)) : undefined
    ctx.body = tx ? { status: tx.status, code: tx.code, order_id: tx.orderId,
      transaction: p?.transaction, amount: Number(tx.amount), rrn: `RRN${p?.transaction}` }
      : { status: 'error', message: 'not found' }
  })
  const app = new Koa()
  app.use(bodyParser({ enableTypes: ['form'] }))
  app.use(router.routes())
  return {
    app, txs,
    /** The payer finishes at Epoint: decide and build the signed callback. */
    finish(transaction: string, status: 'success' | 'failed'): Record<string, string> {
      const tx = txs.get(transaction) as FakeTx
      tx.status = status
      tx.code = status === 'success' ? '000' : '116'
      const [whole, frac = ''] = tx.amount.split('.')
      const amount = BigInt(whole ?? '0') * 100n + BigInt(frac.padEnd(2, '0'))
      return signedForm(privateKey, encodePayload({ status, code: tx.code,
        order_id: tx.orderId, transaction, rrn: `RRN${transaction}`,
        card_mask: '416973******1234' }, amount))
    },
  }
}

let t0: TestDb
let h: CardsHarness
let fake: ReturnType<typeof fakeEpoint>
let server: ReturnType<Koa['listen']>
let person = 7500

test.before(async () => {
  t0 = await freshDb()
  fake = fakeEpoint()
  server = fake.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  h = await startCardsHarness(t0.db, 'cards-epoint', { ep: { protocol: 'epoint',
    enabled: true, publicKey, privateKey, baseUrl, timeoutMs: 400 } })
})

test.after.always(async () => {
  await h?.close()
  server?.close()
  if (t0) await dropDb(t0)
})

const processor = () => h.processors.get('ep') as CardProcessor

async function begin(amount: bigint) {
  const c = await makeCabinet(t0.db, person++)
  const { order, redirect } = await startPayment(h.ctx, processor(),
    { cabinetId: c.id, amount, channel: 'public' })
  return { c, order, redirect, transaction: redirect.refs.transaction as string }
}

test.serial('an Epoint order registers, and its signed callback credits once', async (t) => {
  const { c, order, redirect, transaction } = await begin(1045n)
  t.is(redirect.method, 'GET')
  t.is(redirect.action, 'https://epoint.test/pay')
  t.deepEqual(redirect.fields, { t: transaction })
  t.is(fake.txs.get(transaction)?.amount, '10.45')
  t.is((await t0.db('card_orders').where({ id: order.id }).first()).transaction, transaction)
  const fields = fake.finish(transaction, 'success')
  t.is((await postCallback(h, 'ep', fields)).status, 200)
  t.is((await postCallback(h, 'ep', fields)).status, 200)
  t.is(await stateOf(t0.db, 'ep', order.orderNumber), 'paid')
  t.is((await paymentsFor(t0.db, 'ep', order.orderNumber)).length, 1)
  await waitFor(async () => (await cabinetBalance(t0.db, c.id)) === 1045n)
})

test.serial('an Epoint refusal declines the order', async (t) => {
  const { order, transaction } = await begin(500n)
  t.is((await postCallback(h, 'ep', fake.finish(transaction, 'failed'))).status, 200)
  t.is(await stateOf(t0.db, 'ep', order.orderNumber), 'declined')
})

test.serial('an Epoint callback with a forged signature or another amount changes nothing',
  async (t) => {
    const { order, transaction } = await begin(2000n)
    const good = fake.finish(transaction, 'success')
    const forged = signedForm('not-the-key-000', good.data as string)
    t.is((await postCallback(h, 'ep', forged)).status, 403)
    const cheap = signedForm(privateKey, encodePayload({ status: 'success', code: '000',
      order_id: order.orderNumber, transaction }, 100n))
    t.is((await postCallback(h, 'ep', cheap)).status, 409)
    t.is(await stateOf(t0.db, 'ep', order.orderNumber), 'redirected')
    // An unescaped `+` in the base64 arrives as a space and still verifies.
    const raw = `data=${good.data}&signature=${encodeURIComponent(good.signature as string)}`
    const res = await fetch(`${h.url}/cards/ep/callback`, { method: 'POST', body: raw,
      headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    t.is(res.status, 200)
    t.is(await stateOf(t0.db, 'ep', order.orderNumber), 'paid')
  })

test.serial('the Epoint browser return settles through the order page', async (t) => {
  const { order, transaction } = await begin(300n)
  fake.finish(transaction, 'success')
  const res = await fetch(`${h.url}/kartla-odenis/sifaris/${order.publicId}?qayit=1`)
  t.is(res.status, 200)
  t.regex(await res.text(), /Ödəniş qəbul edildi/)
  t.is(await stateOf(t0.db, 'ep', order.orderNumber), 'paid')
  const again = await settleOrder(h.ctx, processor(), order.orderNumber, { trigger: 'sweep' })
  t.is(again.status, 'settled')
})
