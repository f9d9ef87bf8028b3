import autocannon from 'autocannon'
import { DateTime } from 'luxon'
import { dropBenchDb, freshBenchDb } from './lib.ts'
import { seedCabinets, startGateway, untilPosted } from './gateway.ts'

export interface PayFigures {
  connections: number
  requests: number
  perSecond: number
  p50: number
  p99: number
  non2xx: number
  notOk: number
  postedAfterMs: number
  sumMatches: boolean
}

/**
 * Terminal `pay` against a running gateway (gateway and worker in one
 * process, as `npm start` runs them), each request a new txn_id, for a few
 * seconds per connection count; then the time until all are posted.
 */
export async function payThroughput(connectionCounts: number[], seconds = 10)
  : Promise<PayFigures[]> {
  const name = 'cg_bench_pay'
  const { db, url } = await freshBenchDb(name, 4)
  const accounts = await seedCabinets(db, 5000)
  const gw = await startGateway({ DATABASE_URL: url, QUEUE_PREFIX: 'cgbench',
    PROVIDERS_FILE: 'config/providers.json' }, 3900 + Math.floor(Math.random() * 90))
  const out: PayFigures[] = []
  let txn = 0
  const txnDate = DateTime.now().setZone('Asia/Baku').toFormat('yyyyLLddHHmmss')
  try {
    for (const connections of connectionCounts) {
      const before = txn
      let notOk = 0
      const result = await autocannon({
        url: gw.url,
        connections,
        duration: seconds,
        requests: [{
          method: 'GET',
          setupRequest: (req) => {
            txn += 1
            const account = accounts[txn % accounts.length]
            return { ...req, path: `/terminal/demo?command=pay&txn_id=${txn}` +
              `&account=${account}&sum=1.00&txn_date=${txnDate}` }
          },
          onResponse: (_status, body) => {
            if (!body.includes('<result>0</result>')) notOk += 1
          },
        }],
      })
      const postedAfterMs = await untilPosted(db)
      const rows = await db('payments').where('external_id', '>', String(before))
        .count({ n: '*' }).first()
      const total = await db('ledger_entries').sum({ s: 'amount' }).first()
      out.push({
        connections,
        requests: result.requests.total,
        perSecond: result.requests.total / seconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        notOk,
        postedAfterMs,
        sumMatches: String(total?.s ?? '0') === '0' && Number(rows?.n) >= 0,
      })
    }
  } finally {
    await gw.stop()
    await db.destroy()
    await dropBenchDb(name)
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await payThroughput([1, 32, 128], Number(process.env.SECONDS ?? 10)))
}
