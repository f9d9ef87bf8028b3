import { performance } from 'node:perf_hooks'
import { cabinetHistory } from '../src/ledger/index.ts'
import { seedCabinets } from './gateway.ts'
import { dropBenchDb, freshBenchDb, percentile } from './lib.ts'

/**
 * Seeds a ledger of `entries` entries (credits from one clearing account to
 * many cabinets, plus one heavy cabinet holding a tenth of them) and times
 * history pages: typical cabinets and the heavy one, first and deep pages.
 */
export async function historyLatency(entries = 1_000_000, samples = 2000) {
  const name = 'cg_bench_history'
  const { db } = await freshBenchDb(name, 4)
  const cabinets = 20_000
  const seedStart = performance.now()
  await seedCabinets(db, cabinets)
  await db.raw(`insert into accounts (kind, code, tracked, allow_negative)
    values ('clearing', 'clearing:bench', false, true)`)
  const txs = entries / 2
  const chunk = 50_000
  for (let from = 1; from <= txs; from += chunk) {
    const to = Math.min(txs, from + chunk - 1)
    await db.transaction(async (trx) => {
      // Every tenth transaction goes to cabinet 1, the heavy one.
      await trx.raw(`with t as (
          insert into ledger_transactions (idempotency_key, kind, fingerprint, metadata)
          select 'seed:' || g, 'credit', 'seed',
            jsonb_build_object('paymentCode', lpad(g::text, 15, '0'))
          from generate_series(?::int, ?::int) g
          returning id, substr(idempotency_key, 6)::int as g)
        insert into ledger_entries (transaction_id, account_id, amount)
        select t.id, x.account_id, x.amount from t
        cross join lateral (values
          ((select id from accounts where code = 'clearing:bench'), -(100 + t.g % 900)::bigint),
          ((select id from accounts where cabinet_id =
             case when t.g % 10 = 0 then 1 else 1 + t.g % ? end), (100 + t.g % 900)::bigint)
        ) as x(account_id, amount)`, [from, to, cabinets])
    })
  }
  await db.raw('analyze')
  const seedSeconds = (performance.now() - seedStart) / 1000

  const time = async (cabinetId: bigint, page: number) => {
    const t0 = performance.now()
    await cabinetHistory(db, cabinetId, { direction: 'credits', page, perPage: 20 })
    return performance.now() - t0
  }
  const typical: number[] = []
  for (let i = 0; i < samples; i++) {
    typical.push(await time(BigInt(2 + (i * 7919) % (cabinets - 1)), 1))
  }
  const heavy: number[] = []
  for (let i = 0; i < samples / 10; i++) heavy.push(await time(1n, 1 + (i % 50)))
  typical.sort((a, b) => a - b)
  heavy.sort((a, b) => a - b)
  await db.destroy()
  await dropBenchDb(name)
  return {
    seedSeconds,
    typicalP50: percentile(typical, 50), typicalP99: percentile(typical, 99),
    heavyP50: percentile(heavy, 50), heavyP99: percentile(heavy, 99),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await historyLatency(Number(process.env.ENTRIES ?? 1_000_000)))
}
