import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import type { GatewayError } from '../errors.ts'
import {
  accountId, balanceOf, cabinetBalance, cabinetHistory, post, postBatch,
} from './index.ts'

const ctx = useDb(test, { min: 0, max: 60 })

async function fund(cabinetAcc: bigint, amount: bigint, key: string) {
  const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'demo' })
  return post(ctx.db, { key, kind: 'credit',
    legs: [{ account: clearing, amount: -amount }, { account: cabinetAcc, amount }] })
}

test('50 concurrent postings under one key make one transaction', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'demo' })
  const req = { key: 'race-1', kind: 'credit' as const, metadata: { paymentCode: '1' },
    legs: [{ account: clearing, amount: -1045n }, { account: cab.accountId, amount: 1045n }] }
  const results = await Promise.all(Array.from({ length: 50 }, () => post(ctx.db, req)))
  const ids = new Set(results.map((r) => r.transactionId))
  t.is(ids.size, 1)
  t.is(results.filter((r) => !r.replayed).length, 1)
  t.is(await cabinetBalance(ctx.db, cab.id), 1045n)
  const rows = await ctx.db('ledger_transactions').where({ idempotency_key: 'race-1' })
  t.is(rows.length, 1)
  t.is((await ctx.db('ledger_entries').where({ transaction_id: rows[0].id })).length, 2)
})

test('the same key with other content is refused and posts nothing', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  await fund(cab.accountId, 500n, 'conflict-1')
  const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'demo' })
  const err = await t.throwsAsync<GatewayError>(post(ctx.db, { key: 'conflict-1',
    kind: 'credit', legs: [{ account: clearing, amount: -900n },
      { account: cab.accountId, amount: 900n }] }))
  t.is(err?.code, 'idempotency_conflict')
  const again = await Promise.allSettled(Array.from({ length: 10 }, () => post(ctx.db, {
    key: 'conflict-1', kind: 'credit', metadata: { other: true },
    legs: [{ account: clearing, amount: -500n }, { account: cab.accountId, amount: 500n }] })))
  t.true(again.every((r) => r.status === 'rejected'))
  t.is(await cabinetBalance(ctx.db, cab.id), 500n)
})

test('concurrent debits never take a cabinet below zero', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  await fund(cab.accountId, 1000n, 'fund-debits')
  const revenue = await accountId(ctx.db, { kind: 'revenue', service: 'exam' })
  const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
    post(ctx.db, { key: `debit-${i}`, kind: 'charge',
      legs: [{ account: cab.accountId, amount: -100n }, { account: revenue, amount: 100n }] })))
  const ok = outcomes.filter((o) => o.status === 'fulfilled').length
  const refused = outcomes.filter((o) => o.status === 'rejected'
    && (o.reason as GatewayError).code === 'insufficient_funds').length
  t.is(ok, 10)
  t.is(refused, 30)
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
  t.is(await balanceOf(ctx.db, revenue), 1000n)
})

test('racing transfers both ways between two cabinets neither deadlock nor overdraw',
  async (t) => {
    const a = await cabinetFactory(ctx.db)
    const b = await cabinetFactory(ctx.db)
    await fund(a.accountId, 300n, 'fund-a')
    await fund(b.accountId, 300n, 'fund-b')
    const moves = Array.from({ length: 30 }, (_, i) => {
      const [from, to] = i % 2 ? [a, b] : [b, a]
      return post(ctx.db, { key: `xfer-${i}`, kind: 'transfer',
        legs: [{ account: from.accountId, amount: -70n }, { account: to.accountId, amount: 70n }] })
    })
    await Promise.allSettled(moves)
    const total = (await cabinetBalance(ctx.db, a.id)) + (await cabinetBalance(ctx.db, b.id))
    t.is(total, 600n)
    t.true((await cabinetBalance(ctx.db, a.id)) >= 0n)
    t.true((await cabinetBalance(ctx.db, b.id)) >= 0n)
  })

test('ledger entries and transactions refuse UPDATE, DELETE and TRUNCATE', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const posted = await fund(cab.accountId, 100n, 'immutable')
  const tid = String(posted.transactionId)
  await t.throwsAsync(ctx.db('ledger_entries').where({ transaction_id: tid })
    .update({ amount: 1n }), { message: /append-only/ })
  await t.throwsAsync(ctx.db('ledger_entries').where({ transaction_id: tid }).del(),
    { message: /append-only/ })
  await t.throwsAsync(ctx.db('ledger_transactions').where({ id: tid })
    .update({ kind: 'charge' }), { message: /append-only/ })
  await t.throwsAsync(ctx.db.raw('truncate ledger_entries cascade'), { message: /append-only/ })
  t.is(await cabinetBalance(ctx.db, cab.id), 100n)
})

test('the database refuses a transaction whose legs do not balance', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  await t.throwsAsync(ctx.db.transaction(async (trx) => {
    const [tx] = await trx('ledger_transactions').insert({ idempotency_key: 'unbalanced',
      kind: 'adjustment', fingerprint: 'x' }).returning('id')
    await trx('ledger_entries').insert({ transaction_id: tx.id, account_id: cab.accountId,
      amount: 100n })
  }), { message: /does not balance/ })
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})

test('a balance changes only through entries, never by a direct update', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  await t.throwsAsync(ctx.db('accounts').where({ id: String(cab.accountId) })
    .update({ balance: -1n }), { message: /only through ledger entries/ })
  await t.throwsAsync(ctx.db('accounts').where({ id: String(cab.accountId) })
    .update({ balance: 5000n }), { message: /only through ledger entries/ })
  t.is(await cabinetBalance(ctx.db, cab.id), 0n)
})

const invalid: Array<[string, Parameters<typeof post>[1]]> = [
  ['one leg', { key: 'v1', kind: 'credit', legs: [{ account: 1n, amount: 5n }] }],
  ['legs not summing to zero', { key: 'v2', kind: 'credit',
    legs: [{ account: 1n, amount: -5n }, { account: 2n, amount: 6n }] }],
  ['a zero leg', { key: 'v3', kind: 'credit',
    legs: [{ account: 1n, amount: 0n }, { account: 2n, amount: 0n }] }],
  ['an amount past the maximum', { key: 'v4', kind: 'credit',
    legs: [{ account: 1n, amount: -(10n ** 12n) }, { account: 2n, amount: 10n ** 12n }] }],
  ['an empty key', { key: '', kind: 'credit',
    legs: [{ account: 1n, amount: -5n }, { account: 2n, amount: 5n }] }],
  ['one account twice', { key: 'v5', kind: 'credit',
    legs: [{ account: 1n, amount: -5n }, { account: 1n, amount: 5n }] }],
]
for (const [what, req] of invalid) {
  test(`a posting with ${what} is refused before touching the database`, async (t) => {
    const err = await t.throwsAsync<GatewayError>(post(ctx.db, req))
    t.is(err?.code, 'bad_request')
  })
}

test('history lists credits and debits newest first with totals over all pages',
  async (t) => {
    const cab = await cabinetFactory(ctx.db)
    const revenue = await accountId(ctx.db, { kind: 'revenue', service: 'exam' })
    for (let i = 1; i <= 7; i++) await fund(cab.accountId, BigInt(i * 100), `hist-c-${i}`)
    for (let i = 1; i <= 3; i++) {
      await post(ctx.db, { key: `hist-d-${i}`, kind: 'charge',
        metadata: { purpose: `exam ${i}` },
        legs: [{ account: cab.accountId, amount: -50n }, { account: revenue, amount: 50n }] })
    }
    const p1 = await cabinetHistory(ctx.db, cab.id, { direction: 'credits', perPage: 3 })
    t.deepEqual(p1.rows.map((r) => r.amount), [700n, 600n, 500n])
    t.is(p1.total, 2800n)
    t.is(p1.count, 7)
    t.is(p1.pages, 3)
    const p3 = await cabinetHistory(ctx.db, cab.id, { direction: 'credits', perPage: 3,
      page: 3 })
    t.deepEqual(p3.rows.map((r) => r.amount), [100n])
    const debits = await cabinetHistory(ctx.db, cab.id, { direction: 'debits' })
    t.deepEqual(debits.rows.map((r) => r.metadata.purpose), ['exam 3', 'exam 2', 'exam 1'])
    t.is(debits.total, 150n)
    t.is(await cabinetBalance(ctx.db, cab.id), 2800n - 150n)
  })

test('a batch posts new keys once and replays known ones', async (t) => {
  const cab = await cabinetFactory(ctx.db)
  const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'batch' })
  const req = (i: number, amount = 100n) => ({ key: `batch-${i}`, kind: 'credit' as const,
    legs: [{ account: clearing, amount: -amount }, { account: cab.accountId, amount }] })
  await post(ctx.db, req(1))
  const results = await ctx.db.transaction((trx) =>
    postBatch(trx, [req(1), req(2), req(3), req(3), req(4, 999n)]))
  t.false(results.get('batch-1') instanceof Error)
  t.true((results.get('batch-1') as { replayed: boolean }).replayed)
  t.false((results.get('batch-2') as { replayed: boolean }).replayed)
  t.is(results.size, 4)
  const again = await ctx.db.transaction((trx) => postBatch(trx, [req(2), req(4, 5n)]))
  t.true((again.get('batch-2') as { replayed: boolean }).replayed)
  t.is((again.get('batch-4') as GatewayError).code, 'idempotency_conflict')
  t.is(await cabinetBalance(ctx.db, cab.id), 100n * 3n + 999n)
})

test('batches too big for one statement, crediting the same cabinets in opposite orders, '
  + 'do not deadlock', async (t) => {
  const low = await cabinetFactory(ctx.db)
  const high = await cabinetFactory(ctx.db)
  const clearing = await accountId(ctx.db, { kind: 'clearing', provider: 'demo' })
  // 2,000 credits make 4,000 entries: two INSERT statements, the first
  // touching one cabinet and the second the other.
  const batch = (round: number, tag: string, first: bigint, second: bigint) =>
    Array.from({ length: 2000 }, (_, i) => ({
      key: `big-${round}-${tag}-${i}`, kind: 'credit' as const,
      legs: [{ account: clearing, amount: -1n },
        { account: i < 1000 ? first : second, amount: 1n }],
    }))
  for (let round = 0; round < 3; round++) {
    const outcomes = await Promise.allSettled([
      ctx.db.transaction((trx) => postBatch(trx, batch(round, 'a', high.accountId, low.accountId))),
      ctx.db.transaction((trx) => postBatch(trx, batch(round, 'b', low.accountId, high.accountId))),
    ])
    const failed = outcomes.filter((o) => o.status === 'rejected')
    t.deepEqual(failed.map((f) => String((f as PromiseRejectedResult).reason?.message)), [])
  }
  t.is(await cabinetBalance(ctx.db, low.id), 6000n)
  t.is(await cabinetBalance(ctx.db, high.id), 6000n)
})
