import test from 'ava'
import { cabinetBalance, cabinetHistory } from '../../src/ledger/index.ts'
import {
  nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf, startHarness, tagOf,
  testPrefix, waitFor, type Harness,
} from '../../src/http/testkit.ts'
import { acceptPayment } from '../../src/payments/accept.ts'
import { isPaymentCode } from '../../src/payments/code.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

let h: Harness
let tdb: TestDb
let serial = 5000

test.after.always(async () => {
  await h?.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb()
  h = await startHarness({ db: tdb.db, worker: true, prefix: testPrefix('pay'),
    providers: providersOf({
      t1: osmpNetwork(),
      msk: osmpNetwork({ timeZone: 'Europe/Moscow' }),
      eman: osmpNetwork({ servicetype: true, mismatchResult: 7 }),
    }) })
})

async function holder() {
  return cabinetFactory(tdb.db, { number: nextCabinetNumber() })
}

function pay(account: string, extra: Record<string, string> = {}) {
  serial += 1
  return { command: 'pay', txn_id: String(serial), account, sum: '10.45',
    txn_date: '20240131235930', ...extra }
}

async function creditsFor(provider: string, txnId: string): Promise<number> {
  const rows = await tdb.db('ledger_transactions')
    .whereRaw(`metadata->>'provider' = ? and metadata->>'externalId' = ?`, [provider, txnId])
    .count<{ count: string }[]>('* as count')
  return Number(rows[0]?.count)
}

async function posted(provider: string, txnId: string): Promise<boolean> {
  const row = await tdb.db('payments').where({ provider, external_id: txnId }).first('state')
  return row?.state === 'posted'
}

test('vector 5 and 8: pay without a check answers 0 with prv_txn and the sum, then credits',
  async (t) => {
    const cab = await holder()
    const params = pay(cab.number.toString())
    const res = await osmp(h.url, 't1', params)
    t.is(res.type, 'text/xml; charset=utf-8')
    t.is(resultOf(res.body), 0)
    t.is(tagOf(res.body, 'sum'), '10.45')
    t.is(tagOf(res.body, 'osmp_txn_id'), params.txn_id)
    const prvTxn = tagOf(res.body, 'prv_txn') ?? ''
    t.regex(prvTxn, /^\d+$/)

    const row = await tdb.db('payments').where({ id: prvTxn }).first()
    t.is(row.provider, 't1')
    t.is(row.external_id, params.txn_id)
    t.is(row.amount, 1045n)
    t.true(isPaymentCode(row.payment_code))
    t.is(row.provider_time_raw, '20240131235930')
    t.is((row.provider_time as Date).toISOString(), '2024-01-31T19:59:30.000Z')

    await waitFor(() => posted('t1', params.txn_id))
    t.is(await cabinetBalance(tdb.db, cab.id), 1045n)
    const history = await cabinetHistory(tdb.db, cab.id, { direction: 'credits' })
    t.is(history.rows[0]?.metadata.paymentCode, row.payment_code)
  })

test('vector 6: a repeated pay answers the first reply byte for byte and credits once',
  async (t) => {
    const cab = await holder()
    const params = pay(cab.number.toString())
    const first = await osmp(h.url, 't1', params)
    const second = await osmp(h.url, 't1', params)
    t.is(resultOf(first.body), 0)
    t.is(second.body, first.body)
    // Bug #7 of the reference: a retry with another txn_date is the same payment.
    const third = await osmp(h.url, 't1', { ...params, txn_date: '20240201000001' })
    t.is(third.body, first.body)
    await waitFor(() => posted('t1', params.txn_id))
    const fourth = await osmp(h.url, 't1', params)
    t.is(fourth.body, first.body)
    t.is(await creditsFor('t1', params.txn_id), 1)
    t.is(await cabinetBalance(tdb.db, cab.id), 1045n)
  })

test('vector 6: 20 concurrent pays with one txn_id give one credit and identical replies',
  async (t) => {
    const cab = await holder()
    const params = pay(cab.number.toString(), { sum: '7.00' })
    const replies = await Promise.all(Array.from({ length: 20 }, () =>
      osmp(h.url, 't1', params)))
    const bodies = new Set(replies.map((r) => r.body))
    t.is(bodies.size, 1)
    t.is(resultOf(replies[0]!.body), 0)
    await waitFor(() => posted('t1', params.txn_id))
    const rows = await tdb.db('payments').where({ provider: 't1', external_id: params.txn_id })
    t.is(rows.length, 1)
    t.is(await creditsFor('t1', params.txn_id), 1)
    t.is(await cabinetBalance(tdb.db, cab.id), 700n)
  })

test('vector 7: the same txn_id with another sum or account is a fatal mismatch, no credit',
  async (t) => {
    const cab = await holder()
    const other = await holder()
    const params = pay(cab.number.toString())
    const first = await osmp(h.url, 't1', params)
    t.is(resultOf(first.body), 0)

    const otherSum = await osmp(h.url, 't1', { ...params, sum: '10.46' })
    t.is(resultOf(otherSum.body), 300)
    t.is(tagOf(otherSum.body, 'comment'), 'txn_id was already used with another account or sum')
    t.is(tagOf(otherSum.body, 'prv_txn'), undefined)
    const otherAccount = await osmp(h.url, 't1', { ...params, account: other.number.toString() })
    t.is(resultOf(otherAccount.body), 300)
    // A refused request (unknown payer, bad sum) repeating a known txn_id is a mismatch too.
    const unknownPayer = await osmp(h.url, 't1', { ...params, account: 'AA7654321' })
    t.is(resultOf(unknownPayer.body), 300)

    const errors = h.lines.filter((l) => l.level === 50 && l.externalId === params.txn_id)
    t.is(errors.length, 3)
    t.true(errors.every((l) => /another account or amount/.test(String(l.msg))))
    const metrics = await h.ctx.metrics.registry.getSingleMetricAsString(
      'payment_mismatches_total')
    t.regex(metrics, /payment_mismatches_total\{provider="t1"\} 3$/m)

    await waitFor(() => posted('t1', params.txn_id))
    t.is(await creditsFor('t1', params.txn_id), 1)
    t.is(await cabinetBalance(tdb.db, cab.id), 1045n)
    t.is(await cabinetBalance(tdb.db, other.id), 0n)
  })

test('a network can choose its mismatch result', async (t) => {
  const cab = await holder()
  const params = pay(cab.number.toString())
  t.is(resultOf((await osmp(h.url, 'eman', params)).body), 0)
  t.is(resultOf((await osmp(h.url, 'eman', { ...params, sum: '1.00' })).body), 7)
})

test('a payment accepted before its cabinet was blocked is replayed, not refused', async (t) => {
  const cab = await holder()
  const params = pay(cab.number.toString())
  const first = await osmp(h.url, 't1', params)
  await tdb.db('cabinets').where({ id: cab.id }).update({ blocked: true })
  const again = await osmp(h.url, 't1', params)
  t.is(again.body, first.body)
  const fresh = await osmp(h.url, 't1', pay(cab.number.toString()))
  t.is(resultOf(fresh.body), 79)
})

test('vector 11: txn_date is read in the network zone and kept raw', async (t) => {
  const cab = await holder()
  const cases = [
    { net: 't1', date: '20240131235930', utc: '2024-01-31T19:59:30.000Z' },
    { net: 't1', date: '20240229120000', utc: '2024-02-29T08:00:00.000Z' },
    { net: 'msk', date: '20240131235930', utc: '2024-01-31T20:59:30.000Z' },
  ]
  for (const c of cases) {
    const params = pay(cab.number.toString(), { txn_date: c.date })
    t.is(resultOf((await osmp(h.url, c.net, params)).body), 0)
    const row = await tdb.db('payments').where({ provider: c.net, external_id: params.txn_id })
      .first()
    t.is(row.provider_time_raw, c.date)
    t.is((row.provider_time as Date).toISOString(), c.utc)
  }
})

test('EmanAt servicetype is kept with the payment', async (t) => {
  const cab = await holder()
  const params = pay(cab.number.toString(), { servicetype: '2' })
  t.is(resultOf((await osmp(h.url, 'eman', params)).body), 0)
  const row = await tdb.db('payments').where({ provider: 'eman', external_id: params.txn_id })
    .first()
  t.deepEqual(row.metadata, { servicetype: '2' })
})

test('status answers what became of a txn_id', async (t) => {
  const cab = await holder()
  const params = pay(cab.number.toString())
  const unknown = await osmp(h.url, 't1', { command: 'status', txn_id: params.txn_id })
  t.is(resultOf(unknown.body), 1)
  const paid = await osmp(h.url, 't1', params)
  await waitFor(() => posted('t1', params.txn_id))
  const known = await osmp(h.url, 't1', { command: 'status', txn_id: params.txn_id })
  t.is(resultOf(known.body), 0)
  t.is(tagOf(known.body, 'prv_txn'), tagOf(paid.body, 'prv_txn'))
  t.is(tagOf(known.body, 'sum'), '10.45')
  t.is(tagOf(known.body, 'comment'), 'credited')
  // Another network's txn_id space is its own.
  const elsewhere = await osmp(h.url, 'msk', { command: 'status', txn_id: params.txn_id })
  t.is(resultOf(elsewhere.body), 1)
})

test('check changes nothing', async (t) => {
  const cab = await holder()
  const res = await osmp(h.url, 't1', { command: 'check', txn_id: '42', account:
    cab.number.toString(), sum: '10.00' })
  t.is(resultOf(res.body), 0)
  t.is((await tdb.db('payments').where({ cabinet_id: cab.id })).length, 0)
  t.is(await cabinetBalance(tdb.db, cab.id), 0n)
})

test('vector 15: every answer is UTF-8 XML well within the 60 s budget', async (t) => {
  const cab = await holder()
  const started = Date.now()
  for (const params of [pay(cab.number.toString()), { command: 'nope' }, { command: 'check' }]) {
    const res = await osmp(h.url, 't1', params)
    t.is(res.status, 200)
    t.is(res.type, 'text/xml; charset=utf-8')
    t.true(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
  }
  t.true(Date.now() - started < 15_000)
})

test('each exchange is logged once with its outcome and latency, without the account',
  async (t) => {
    const cab = await holder()
    const params = pay(cab.number.toString())
    await osmp(h.url, 't1', params)
    const line = h.lines.find((l) => l.msg === 'request' && l.txnId === params.txn_id)
    t.truthy(line)
    t.is(line?.outcome, 'osmp:0')
    t.is(line?.command, 'pay')
    t.is(typeof line?.ms, 'number')
    t.false(JSON.stringify(h.lines).includes(params.account))
  })

test('a payment an operator accepted from the registry answers the network\'s retry with 0',
  async (t) => {
    const cab = await holder()
    const params = pay(cab.number.toString())
    // As `reconcile --apply` stores it: through the inbox, with no OSMP reply.
    const accepted = await acceptPayment(tdb.db, { provider: 't1', externalId: params.txn_id,
      source: 'operator', payerRef: params.account, account: params.account,
      cabinetId: cab.id, amount: 1045n, metadata: { approvedBy: 'test' } })
    const first = await osmp(h.url, 't1', params)
    const again = await osmp(h.url, 't1', params)
    t.is(resultOf(first.body), 0)
    t.is(tagOf(first.body, 'prv_txn'), accepted.payment.id.toString())
    t.is(tagOf(first.body, 'sum'), '10.45')
    t.is(again.body, first.body)
    await waitFor(() => posted('t1', params.txn_id))
    t.is(await creditsFor('t1', params.txn_id), 1)
    t.is(await cabinetBalance(tdb.db, cab.id), 1045n)
  })
