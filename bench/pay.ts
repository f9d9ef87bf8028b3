import autocannon from 'autocannon'
import { DateTime } from 'luxon'
import { cpuSnapshot, cpuSpent, type CpuSpent } from './cpu.ts'
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
  /** Every payment answered 0 so far is posted, and the ledger sums to zero. */
  booksAgree: boolean
  /** CPU per payment: gateway, postgres, redis, loadgen (autocannon), machine, other. */
  cpu?: CpuSpent
}

/**
 * Terminal `pay` against a running gateway (gateway and worker in one
 * process, as `npm start` runs them), each request a new txn_id, for a few
 * seconds per connection count; then the time until all are posted. The
 * gateway first takes a few seconds of the same load unmeasured, so that the
 * figures are those of a warm process (compiled code, prepared statements).
 */
export async function payThroughput(connectionCounts: number[], seconds = 10, warmupSeconds = 5)
  : Promise<PayFigures[]> {
  const name = 'cg_bench_pay'
  const { db, url } = await freshBenchDb(name, 4)
  const accounts = await seedCabinets(db, 5000)
  const gw = await startGateway({ DATABASE_URL: url, QUEUE_PREFIX: 'cgbench',
    PROVIDERS_FILE: 'config/providers.json' }, 3900 + Math.floor(Math.random() * 90))
  const out: PayFigures[] = []
  let txn = 0
  const answeredOk: string[] = []
  const groups = {
    gateway: (pid: number) => pid === gw.child.pid,
    loadgen: (pid: number) => pid === process.pid,
    postgres: (_: number, comm: string) => comm === 'postgres',
    redis: (_: number, comm: string) => comm.startsWith('redis-server'),
  }
  const txnDate = DateTime.now().setZone('Asia/Baku').toFormat('yyyyLLddHHmmss')
  const load = async (connections: number, duration: number) => {
    let notOk = 0
    const result = await autocannon({
      url: gw.url,
      connections,
      duration,
      requests: [{
        method: 'GET',
        setupRequest: (req) => {
          txn += 1
          const account = accounts[txn % accounts.length]
          return { ...req, path: `/terminal/demo?command=pay&txn_id=${txn}` +
            `&account=${account}&sum=1.00&txn_date=${txnDate}` }
        },
        onResponse: (_status, body) => {
          const id = /<osmp_txn_id>(\d+)<\/osmp_txn_id>/.exec(body)?.[1]
          if (id && body.includes('<result>0</result>')) answeredOk.push(id)
          else notOk += 1
        },
      }],
    })
    return { result, notOk }
  }
  try {
    if (warmupSeconds > 0) {
      await load(32, warmupSeconds)
      await untilPosted(db)
    }
    for (const connections of connectionCounts) {
      const cpuBefore = cpuSnapshot(groups)
      const { result, notOk } = await load(connections, seconds)
      const cpuAfter = cpuSnapshot(groups)
      const postedAfterMs = await untilPosted(db)
      // Requests still in flight when the load stops may be committed unanswered,
      // so the check is that every payment answered 0 is posted, each once.
      const books = await db.raw(`select
          (select count(*) from payments where provider = 'demo' and state = 'posted'
            and external_id = any(?::text[])) as answered_posted,
          (select count(*) from payments where state = 'posted') as posted,
          (select count(*) from ledger_transactions where idempotency_key like 'payment:%')
            as postings,
          (select coalesce(sum(amount), 0)::bigint from ledger_entries) as total`, [answeredOk])
      const b = books.rows[0] as Record<string, bigint>
      out.push({
        connections,
        requests: result.requests.total,
        perSecond: result.requests.total / seconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        notOk,
        postedAfterMs,
        booksAgree: Number(b.answered_posted) === answeredOk.length && b.posted === b.postings
          && b.total === 0n,
        cpu: cpuSpent(cpuBefore, cpuAfter, result.requests.total),
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
