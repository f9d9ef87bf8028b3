import { performance } from 'node:perf_hooks'
import { postAcceptedPayments } from '../src/payments/post.ts'
import { dropBenchDb, freshBenchDb } from './lib.ts'
import { seedCabinets } from './gateway.ts'

async function seedAccepted(db: Awaited<ReturnType<typeof freshBenchDb>>['db'], n: number,
  offset: number) {
  await db.raw(`insert into payments (provider, external_id, source, target, payer_ref,
      cabinet_id, amount, fingerprint, payment_code)
    select 'demo', 'w' || g, 'terminal', 'cabinet', 'AA' || lpad((1 + g % 5000)::text, 7, '0'),
      1 + g % 5000, 100 + g % 900, 'bench', lpad(g::text, 15, '0')
    from generate_series(?::int, ?::int) g`, [offset + 1, offset + n])
}

/**
 * The worker's posting path alone: accepted payments already committed, then
 * posted in batches as the worker does, against each posted in its own
 * transaction (32 at a time). Returns payments per second for both.
 */
export async function workerThroughput(batched = 100_000, single = 10_000, batchSize = 500) {
  const name = 'cg_bench_worker'
  const { db } = await freshBenchDb(name, 40)
  await seedCabinets(db, 5000)

  await seedAccepted(db, batched, 0)
  let t0 = performance.now()
  // Two flushers at a time, like a worker with a job in flight and the sweeper.
  const drain = async () => {
    for (;;) {
      const run = await postAcceptedPayments(db, { limit: batchSize, fill: true })
      if (run.posted.length === 0) return
    }
  }
  await Promise.all([drain(), drain()])
  const batchedPerSecond = batched / ((performance.now() - t0) / 1000)

  await seedAccepted(db, single, batched)
  const ids = await db('payments').where({ state: 'accepted' }).orderBy('id')
    .pluck('id') as bigint[]
  t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < ids.length) {
      const id = ids[next++] as bigint
      await postAcceptedPayments(db, { ids: [id], limit: 1 })
    }
  }))
  const singlePerSecond = single / ((performance.now() - t0) / 1000)
  const left = await db('payments').where({ state: 'accepted' }).count({ n: '*' }).first()
  const sum = await db('ledger_entries').sum({ s: 'amount' }).first()
  await db.destroy()
  await dropBenchDb(name)
  return { batchedPerSecond, singlePerSecond, left: Number(left?.n), ledgerSum: String(sum?.s) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await workerThroughput(Number(process.env.N ?? 100_000)))
}
