import type { AddressInfo } from 'node:net'
import test from 'ava'
import Koa from 'koa'
import { pino } from 'pino'
import { useDb } from '../../test/helpers/db.ts'
import { fundCabinet, holderFactory } from '../account/testkit.ts'
import { loadConfig } from '../config.ts'
import { accountId, balanceOf, cabinetBalance, cabinetHistory } from '../ledger/index.ts'
import { apiRouter } from './index.ts'

const ctx = useDb(test, { min: 0, max: 40 })
const tokens = { exams: 'exams-token-0123456789abcdef', certs: 'certs-token-0123456789abcdef' }
let base = ''
let close = () => {}

test.before(async () => {
  const app = new Koa()
  // The database is made by another before-hook, which may not have run yet.
  app.use(apiRouter({ get db() { return ctx.db }, log: pino({ level: 'silent' }),
    config: loadConfig({}),
    providers: { providers: {}, clients: {
      exams: { token: tokens.exams, name: 'Exams', revenueAccount: 'exam-fees' },
      certs: { token: tokens.certs } } } }).routes())
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`
  close = () => server.close()
})
test.after.always(() => close())

interface Reply {
  status: number
  body: Record<string, unknown> & {
    error?: { code: string; message: string; details?: Record<string, unknown> }
  }
  text: string
  headers: Headers
}

async function call(path: string, body?: unknown, opts: { client?: keyof typeof tokens | null;
  raw?: string; type?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' }
  const client = opts.client === undefined ? 'exams' : opts.client
  if (client) headers.authorization = `Bearer ${tokens[client]}`
  const res = await fetch(base + path, { method: body === undefined && !opts.raw ? 'GET' : 'POST',
    headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as Reply['body'], text,
    headers: res.headers }
}

let serial = 0
function charge(cabinet: bigint | string, extra: Record<string, unknown> = {}) {
  serial += 1
  return { cabinet: String(cabinet), amount: '10.45', purpose: 'Buraxılış imtahanı',
    servedPerson: 'HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU', externalId: `svc-${serial}`, ...extra }
}

test('the OpenAPI document is served and describes both operations', async (t) => {
  const res = await fetch(`${base}/openapi.json`)
  t.is(res.status, 200)
  const doc = await res.json() as { openapi: string; paths: Record<string, unknown> }
  t.is(doc.openapi, '3.1.0')
  t.truthy(doc.paths['/charges'])
  t.truthy(doc.paths['/charges/{id}/refunds'])
})

test('a request without a known bearer token is refused', async (t) => {
  const cab = await holderFactory(ctx.db)
  const none = await call('/charges', charge(cab.number), { client: null })
  t.is(none.status, 401)
  t.is(none.body.error?.code, 'unauthorized')
  t.is(none.headers.get('www-authenticate'), 'Bearer')
  const res = await fetch(`${base}/charges`, { method: 'POST', headers: {
    authorization: `Bearer ${tokens.exams}x`, 'content-type': 'application/json' },
  body: JSON.stringify(charge(cab.number)) })
  t.is(res.status, 401)
})

test.serial('a charge debits the cabinet into the client revenue, and the history shows it',
  async (t) => {
    const cab = await holderFactory(ctx.db)
    await fundCabinet(ctx.db, cab.id, 5000n)
    const revenue = await accountId(ctx.db, { kind: 'revenue', service: 'exam-fees' })
    const before = await balanceOf(ctx.db, revenue)
    const req = charge(cab.number)
    const res = await call('/charges', req)
    t.is(res.status, 201)
    t.like(res.body, { cabinet: String(cab.number), amount: '10.45',
      externalId: req.externalId, purpose: req.purpose, servedPerson: req.servedPerson })
    t.is(res.headers.get('location'), `/api/v1/charges/${String(res.body.id)}`)
    t.is(await cabinetBalance(ctx.db, cab.id), 5000n - 1045n)
    t.is(await balanceOf(ctx.db, revenue) - before, 1045n)
    const debit = (await cabinetHistory(ctx.db, cab.id, { direction: 'debits' })).rows[0]
    t.like(debit?.metadata, { purpose: req.purpose, servedPerson: req.servedPerson })
  })

test('the payer may be named by identity document', async (t) => {
  const cab = await holderFactory(ctx.db)
  await fundCabinet(ctx.db, cab.id, 2000n)
  const doc = await ctx.db('cabinets').where({ id: cab.id }).first('document')
  const res = await call('/charges', charge(doc.document.toLowerCase()))
  t.is(res.status, 201)
  t.is(res.body.cabinet, String(cab.number))
})

test('a repeat answers the first result; another body under the id is a conflict',
  async (t) => {
    const cab = await holderFactory(ctx.db)
    await fundCabinet(ctx.db, cab.id, 5000n)
    const req = charge(cab.number)
    const first = await call('/charges', req)
    const again = await call('/charges', req)
    t.is(first.status, 201)
    t.is(again.status, 200)
    t.is(again.text, first.text, 'byte for byte')
    const other = await call('/charges', { ...req, amount: '10.46' })
    t.is(other.status, 409)
    t.is(other.body.error?.code, 'idempotency_conflict')
    t.is(await cabinetBalance(ctx.db, cab.id), 5000n - 1045n)
    const elsewhere = await call('/charges', req, { client: 'certs' })
    t.is(elsewhere.status, 201)
  })

test('ten concurrent repeats of one charge debit once', async (t) => {
  const cab = await holderFactory(ctx.db)
  await fundCabinet(ctx.db, cab.id, 5000n)
  const req = charge(cab.number)
  const replies = await Promise.all(Array.from({ length: 10 }, () => call('/charges', req)))
  t.deepEqual(replies.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200,
    200, 201])
  t.is(new Set(replies.map((r) => r.body.id)).size, 1)
  t.is(await cabinetBalance(ctx.db, cab.id), 5000n - 1045n)
})

test('concurrent charges drain a cabinet to zero and never below', async (t) => {
  const cab = await holderFactory(ctx.db)
  await fundCabinet(ctx.db, cab.id, 10_000n)
  const replies = await Promise.all(Array.from({ length: 30 }, () =>
    call('/charges', charge(cab.number, { amount: '4.00' }))))
  t.is(replies.filter((r) => r.status === 201).length, 25)
  t.true(replies.every((r) => r.status === 201
    || (r.status === 402 && r.body.error?.code === 'insufficient_funds')))
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})

test('insufficient funds, unknown, blocked and malformed cabinets are distinct errors',
  async (t) => {
    const poor = await holderFactory(ctx.db)
    const blocked = await holderFactory(ctx.db, { blocked: true })
    await fundCabinet(ctx.db, blocked.id, 5000n)
    const digits = String(poor.number)
    const typo = digits.slice(0, -1) + String((Number(digits.slice(-1)) + 1) % 10)
    const cases: Array<[string, number, string]> = [
      [String(poor.number), 402, 'insufficient_funds'],
      ['AA9999999', 404, 'payer_not_found'],
      [String(blocked.number), 423, 'cabinet_blocked'],
      [typo, 422, 'account_format'],
      ['AZE123', 422, 'account_format'],
    ]
    for (const [cabinet, status, code] of cases) {
      const res = await call('/charges', charge(cabinet))
      t.is(res.status, status, cabinet)
      t.is(res.body.error?.code, code, cabinet)
      t.is(typeof res.body.error?.message, 'string')
    }
    t.is(await ctx.db('charges').whereIn('cabinet_id', [String(poor.id), String(blocked.id)])
      .count('* as n').first().then((r) => Number(r?.n)), 0)
  })

test('a charge refused for funds may be retried under its id after a top-up', async (t) => {
  const cab = await holderFactory(ctx.db)
  const req = charge(cab.number)
  t.is((await call('/charges', req)).status, 402)
  await fundCabinet(ctx.db, cab.id, 1045n)
  t.is((await call('/charges', req)).status, 201)
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})

test('requests that do not follow the document are refused with their reason', async (t) => {
  const cab = await holderFactory(ctx.db)
  await fundCabinet(ctx.db, cab.id, 100_000n)
  const good = charge(cab.number)
  const noPurpose: Partial<typeof good> = { ...good }
  delete noPurpose.purpose
  const cases: Array<[unknown, number, string, RegExp]> = [
    [noPurpose, 400, 'validation', /purpose/],
    [{ ...good, extra: 1 }, 400, 'validation', /extra/],
    [{ ...good, amount: 10.45 }, 400, 'amount_format', /amount/],
    [{ ...good, amount: '10,45' }, 400, 'amount_format', /10\.45/],
    [{ ...good, amount: '1e3' }, 400, 'amount_format', /amount/],
    [{ ...good, amount: '10.455' }, 400, 'amount_format', /amount/],
    [{ ...good, amount: '0.00' }, 400, 'amount_too_small', /above zero/],
    [{ ...good, amount: '5000.01' }, 422, 'amount_too_large', /maximum/],
    [{ ...good, servedPerson: '   ' }, 400, 'validation', /servedPerson/],
    [{ ...good, servedPerson: 'S\ud800' }, 400, 'validation', /servedPerson .*unpaired/],
    [{ ...good, purpose: 'P\u0000x' }, 400, 'validation', /purpose contains control/],
    [{ ...good, purpose: '\u200b\u202e' }, 400, 'validation', /purpose must not be blank/],
    [{ ...good, externalId: 'has space' }, 400, 'validation', /externalId/],
    [[good], 400, 'validation', /body/],
  ]
  for (const [body, status, code, message] of cases) {
    const res = await call('/charges', body)
    t.is(res.status, status, JSON.stringify(body))
    t.is(res.body.error?.code, code, JSON.stringify(body))
    t.regex(res.body.error?.message ?? '', message)
  }
  const broken = await call('/charges', undefined, { raw: '{"cabinet":' })
  t.is(broken.status, 400)
  t.is(broken.body.error?.code, 'validation')
  const form = await call('/charges', undefined, { raw: 'cabinet=1', type: 'text/plain' })
  t.is(form.status, 400)
  t.regex(form.body.error?.message ?? '', /application\/json/)
  t.is(await cabinetBalance(ctx.db, cab.id), 100_000n)
})

async function charged(amount = '10.00') {
  const cab = await holderFactory(ctx.db)
  await fundCabinet(ctx.db, cab.id, 100_000n)
  const res = await call('/charges', charge(cab.number, { amount }))
  return { cab, id: res.body.id as string }
}

test('refunds give back part, then the rest, never more than was charged', async (t) => {
  const { cab, id } = await charged('10.00')
  const part = await call(`/charges/${id}/refunds`, { refundId: 'r-part', amount: '4.00',
    reason: 'imtahan ləğv edildi' })
  t.is(part.status, 201)
  t.like(part.body, { amount: '4.00', chargeRefunded: '4.00', chargeRefundable: '6.00' })
  const tooMuch = await call(`/charges/${id}/refunds`, { refundId: 'r-big', amount: '6.01' })
  t.is(tooMuch.status, 422)
  t.is(tooMuch.body.error?.code, 'amount_too_large')
  t.deepEqual(tooMuch.body.error?.details, { refundable: '6.00' })
  const rest = await call(`/charges/${id}/refunds`, { refundId: 'r-rest' })
  t.like(rest.body, { amount: '6.00', chargeRefundable: '0.00' })
  const more = await call(`/charges/${id}/refunds`, { refundId: 'r-more', amount: '0.01' })
  t.is(more.status, 409)
  t.is(more.body.error?.code, 'conflict')
  t.is(await cabinetBalance(ctx.db, cab.id), 100_000n)
  const state = await call(`/charges/${id}`)
  t.like(state.body, { refunded: '10.00', refundable: '0.00', amount: '10.00' })
  const credits = await cabinetHistory(ctx.db, cab.id, { direction: 'credits' })
  t.deepEqual(credits.rows.slice(0, 2).map((r) => r.kind), ['refund', 'refund'])
})

test('a refund repeats its first answer, and its id with another body conflicts', async (t) => {
  const { cab, id } = await charged('10.00')
  const first = await call(`/charges/${id}/refunds`, { refundId: 'rr-1', amount: '1.00' })
  const again = await call(`/charges/${id}/refunds`, { refundId: 'rr-1', amount: '1.00' })
  t.is(first.status, 201)
  t.is(again.status, 200)
  t.is(again.text, first.text, 'byte for byte')
  const other = await call(`/charges/${id}/refunds`, { refundId: 'rr-1', amount: '2.00' })
  t.is(other.status, 409)
  t.is(other.body.error?.code, 'idempotency_conflict')
  t.is(await cabinetBalance(ctx.db, cab.id), 100_000n - 900n)
})

test('concurrent refunds of one charge never sum past it', async (t) => {
  const { cab, id } = await charged('10.00')
  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    call(`/charges/${id}/refunds`, { refundId: `rc-${i}`, amount: '3.00' })))
  t.is(replies.filter((r) => r.status === 201).length, 3)
  t.true(replies.every((r) => r.status === 201 || r.status === 422))
  const row = await ctx.db('charges').where({ id }).first('refunded')
  t.is(row.refunded, 900n)
  t.is(await cabinetBalance(ctx.db, cab.id), 100_000n - 1000n + 900n)
})

test('a client cannot see or refund another client\'s charge', async (t) => {
  const { id } = await charged()
  t.is((await call(`/charges/${id}`, undefined, { client: 'certs' })).status, 404)
  const res = await call(`/charges/${id}/refunds`, { refundId: 'x-1' }, { client: 'certs' })
  t.is(res.status, 404)
  t.is(res.body.error?.code, 'not_found')
  t.is((await call('/charges/abc/refunds', { refundId: 'x-2' })).status, 404)
})

test('a body with a broken Content-Encoding is the client\'s fault, not a 500', async (t) => {
  const cab = await holderFactory(ctx.db)
  for (const encoding of ['br', 'identity, gzip', 'x-unknown']) {
    const res = await fetch(`${base}/charges`, { method: 'POST', headers: {
      'content-type': 'application/json', 'content-encoding': encoding,
      authorization: `Bearer ${tokens.exams}` },
    body: JSON.stringify(charge(cab.number)) })
    t.true(res.status >= 400 && res.status < 500, `${encoding}: ${res.status}`)
    t.is(((await res.json()) as { error: { code: string } }).error.code, 'validation')
  }
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})
