import test from 'ava'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { nextCabinetNumber } from '../http/testkit.ts'
import { acceptPayment, fingerprintOf, type AcceptInput } from './accept.ts'

let tdb: TestDb
let cabinetId: bigint

test.before(async () => {
  tdb = await freshDb()
  cabinetId = (await cabinetFactory(tdb.db, { number: nextCabinetNumber() })).id
})
test.after.always(async () => {
  if (tdb) await dropDb(tdb)
})

function input(externalId: string, extra: Partial<AcceptInput> = {}): AcceptInput {
  return { provider: 'unit', externalId, source: 'terminal', payerRef: ' aa 0123456',
    account: 'AA0123456', cabinetId, amount: 1045n,
    reply: ({ id, paymentCode }) => ({ result: 0, prv_txn: id.toString(), code: paymentCode }),
    ...extra }
}

test('the first accept commits the row with its reply; a repeat replays it', async (t) => {
  const first = await acceptPayment(tdb.db, input('a1'))
  t.is(first.status, 'accepted')
  t.deepEqual(first.payment.reply, { result: 0, prv_txn: first.payment.id.toString(),
    code: first.payment.paymentCode })
  t.is(first.payment.payerRef, ' aa 0123456')
  const again = await acceptPayment(tdb.db, input('a1', { payerRef: 'AA0123456' }))
  t.is(again.status, 'replayed')
  t.deepEqual(again.payment, first.payment)
})

test('another amount or account under the same id is a mismatch and changes nothing',
  async (t) => {
    const first = await acceptPayment(tdb.db, input('a2'))
    for (const other of [{ amount: 1046n }, { account: 'AA0123457' }]) {
      const out = await acceptPayment(tdb.db, input('a2', other))
      t.is(out.status, 'mismatch')
      t.deepEqual(out.payment, first.payment)
    }
  })

test('the same id at another provider is another payment', async (t) => {
  const a = await acceptPayment(tdb.db, input('a3'))
  const b = await acceptPayment(tdb.db, input('a3', { provider: 'unit2' }))
  t.is(b.status, 'accepted')
  t.not(a.payment.id, b.payment.id)
  t.not(a.payment.paymentCode, b.payment.paymentCode)
})

test('concurrent accepts of one id commit one row and agree on it', async (t) => {
  const outs = await Promise.all(Array.from({ length: 20 }, () =>
    acceptPayment(tdb.db, input('a4'))))
  t.is(outs.filter((o) => o.status === 'accepted').length, 1)
  t.is(new Set(outs.map((o) => o.payment.id)).size, 1)
})

test('the fingerprint covers the account, the amount and the target', (t) => {
  const base = fingerprintOf({ account: 'AA0123456', amount: 100n })
  t.is(base, fingerprintOf({ account: 'AA0123456', amount: 100n, target: 'cabinet' }))
  t.not(base, fingerprintOf({ account: 'AA0123456', amount: 101n }))
  t.not(base, fingerprintOf({ account: 'AA0123457', amount: 100n }))
  t.not(base, fingerprintOf({ account: 'AA0123456', amount: 100n, target: 'voucher' }))
})

test('a database outage is reported as unavailable, which is retryable', async (t) => {
  const { createDb } = await import('../db.ts')
  const closed = createDb('postgres://postgres@127.0.0.1:1/none', { min: 0, max: 1 })
  t.teardown(() => closed.destroy())
  const err = await t.throwsAsync(acceptPayment(closed, input('a5')))
  t.is((err as { code?: string }).code, 'unavailable')
  t.true((err as { retryable?: boolean }).retryable)
})

test('payments accepted together share one insert yet each gets its own answer', async (t) => {
  const open = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
  const blocked = await cabinetFactory(tdb.db, { number: nextCabinetNumber(), blocked: true })
  const byNumber = (n: bigint) => ({ cabinetId: null, payerKey: { number: n } })
  const { document } = await tdb.db('cabinets').where({ id: String(open.id) }).first('document')
  // Started in one turn of the event loop, so they meet in one statement.
  const results = await Promise.allSettled([
    acceptPayment(tdb.db, input('b1', byNumber(open.number))),
    acceptPayment(tdb.db, input('b2', byNumber(blocked.number))),
    acceptPayment(tdb.db, input('b3', byNumber(999_999_999_999n))),
    acceptPayment(tdb.db, input('b4', { cabinetId: null,
      payerKey: { document: document as string } })),
    acceptPayment(tdb.db, input('b1', byNumber(open.number))),
    acceptPayment(tdb.db, input('b1', { ...byNumber(open.number), amount: 1n })),
  ])
  const status = results.map((r) => r.status === 'fulfilled' ? r.value.status
    : (r.reason as { code: string }).code)
  t.is(status[0] === 'accepted' ? status[4] : status[0], 'replayed')
  t.true([status[0], status[4]].includes('accepted'))
  t.deepEqual(status.slice(1, 4), ['cabinet_blocked', 'payer_not_found', 'accepted'])
  t.is(status[5], 'mismatch')
  const rows = await tdb.db('payments').whereIn('external_id', ['b1', 'b2', 'b3', 'b4'])
    .orderBy('external_id').select('external_id', 'cabinet_id', 'reply', 'id')
  t.deepEqual(rows.map((r) => [r.external_id, r.cabinet_id]), [['b1', open.id],
    ['b4', open.id]])
  for (const r of rows) t.is(r.reply.prv_txn, r.id.toString())
})

test('inside a caller\'s transaction the payment is the transaction\'s: rolled back, it is gone',
  async (t) => {
    let seenInside: bigint | undefined
    await t.throwsAsync(tdb.db.transaction(async (trx) => {
      const out = await acceptPayment(trx, input('a-trx'))
      t.is(out.status, 'accepted')
      const row = await trx('payments').where({ provider: 'unit', external_id: 'a-trx' }).first()
      seenInside = row?.id as bigint | undefined
      throw new Error('caller gives up')
    }), { message: 'caller gives up' })
    t.truthy(seenInside, 'visible inside the transaction that inserted it')
    t.is(await tdb.db('payments').where({ external_id: 'a-trx' }).first(), undefined)
    // The pool's connections are still usable afterwards.
    t.is((await acceptPayment(tdb.db, input('a-trx'))).status, 'accepted')
  })

test('payers named by number or document are found and blocked ones refused, in one batch',
  async (t) => {
    const open = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const blocked = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    await tdb.db('cabinets').where({ id: blocked.id }).update({ blocked: true })
    const { document } = await tdb.db('cabinets').where({ id: open.id }).first()
    const outs = await Promise.allSettled([
      acceptPayment(tdb.db, input('k1', { cabinetId: null,
        payerKey: { number: open.number } })),
      acceptPayment(tdb.db, input('k2', { cabinetId: null,
        payerKey: { document: document as string } })),
      acceptPayment(tdb.db, input('k3', { cabinetId: null,
        payerKey: { number: blocked.number } })),
    ])
    const [byNumber, byDocument, refused] = outs
    t.is(byNumber.status === 'fulfilled' && byNumber.value.payment.cabinetId, open.id)
    t.is(byDocument.status === 'fulfilled' && byDocument.value.payment.cabinetId, open.id)
    t.is(refused.status === 'rejected' && (refused.reason as { code?: string }).code,
      'cabinet_blocked')
    t.is((await tdb.db('payments').where({ external_id: 'k3' })).length, 0)
  })

test.serial('a column added to payments while the gateway runs leaves accepting alone',
  async (t) => {
    for (let i = 0; i < 4; i++) {
      t.is((await acceptPayment(tdb.db, input(`col-a${i}`))).status, 'accepted')
    }
    await tdb.db.raw('alter table payments add column review_note text')
    for (let i = 0; i < 6; i++) {
      t.is((await acceptPayment(tdb.db, input(`col-b${i}`))).status, 'accepted')
    }
  })

test('a row the database refuses fails its own payment only, not the others of its turn',
  async (t) => {
    const results = await Promise.allSettled([
      acceptPayment(tdb.db, input('row-ok-1')),
      acceptPayment(tdb.db, input('row-bad-amount', { amount: 0n })),
      acceptPayment(tdb.db, input('row-bad-json', { metadata: { note: 'nul\u0000byte' } })),
      acceptPayment(tdb.db, input('row-ok-2')),
    ])
    const outcome = results.map((r) => r.status === 'fulfilled' ? r.value.status
      : (r.reason as { code?: string }).code)
    t.deepEqual(outcome, ['accepted', '23514', '22P05', 'accepted'])
    const stored = await tdb.db('payments').where('external_id', 'like', 'row-%')
      .orderBy('external_id').pluck('external_id')
    t.deepEqual(stored, ['row-ok-1', 'row-ok-2'])
  })
