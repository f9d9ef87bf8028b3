/**
 * Fault drills. During a burst of terminal payments: kill -9 the worker,
 * flush Redis, restart Postgres, send every pay twice with random delays.
 * After each: every payment answered 0 is in the database and posted exactly
 * once, the ledger sums to zero, no balance is below zero, and each cabinet's
 * balance equals what was paid into it. `--quick` runs the drills that need
 * no Postgres restart, with smaller bursts (as CI does).
 */
import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import { Redis } from 'ioredis'
import type { Db } from '../src/db.ts'
import { dropBenchDb, freshBenchDb } from './lib.ts'
import { seedCabinets, startGateway, untilPosted, type GatewayProcess } from './gateway.ts'

const quick = process.argv.includes('--quick')
const burst = quick ? 600 : 3000
// Drills use their own Redis database, so flushing it touches nobody else.
const redisUrl = process.env.DRILLS_REDIS_URL ?? 'redis://127.0.0.1:6379/9'

interface Answer { txn: string; account: string; result: number; prvTxn?: string; body: string }

async function pay(url: string, txn: string, account: string, sum: string): Promise<Answer> {
  const date = DateTime.now().setZone('Asia/Baku').toFormat('yyyyLLddHHmmss')
  // A network retries non-fatal answers and dropped connections, as QIWI does.
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url}/terminal/demo?command=pay&txn_id=${txn}` +
        `&account=${account}&sum=${sum}&txn_date=${date}`, { signal: AbortSignal.timeout(20_000) })
      const body = await res.text()
      const result = Number(/<result>(\d+)<\/result>/.exec(body)?.[1] ?? -1)
      if (result === 0 || (result !== 1 && result !== 90) || attempt > 60) {
        return { txn, account, result, prvTxn: /<prv_txn>(\d+)</.exec(body)?.[1], body }
      }
    } catch {
      if (attempt > 60) return { txn, account, result: -1, body: '' }
    }
    await sleep(250 + attempt * 100)
  }
}

async function sendBurst(url: string, accounts: string[], prefix: string, n: number,
  concurrency = 16, twice = false): Promise<Answer[]> {
  const answers: Answer[] = []
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++
      const txn = `${prefix}${i}`
      const account = accounts[i % accounts.length] as string
      const sum = `${1 + (i % 50)}.${String(i % 100).padStart(2, '0')}`
      if (!twice) {
        answers.push(await pay(url, txn, account, sum))
        continue
      }
      const [a, b] = await Promise.all([pay(url, txn, account, sum),
        sleep(Math.random() * 200).then(() => pay(url, txn, account, sum))])
      answers.push(a, b)
    }
  }))
  return answers
}

interface Check { drill: string; sent: number; answeredOk: number; other: number;
  posted: number; problems: string[] }

async function verify(db: Db, drill: string, prefix: string, answers: Answer[]): Promise<Check> {
  const problems: string[] = []
  await untilPosted(db, 120_000).catch(() => problems.push('payments left unposted'))
  const ok = answers.filter((a) => a.result === 0)
  const rows = await db('payments').where('external_id', 'like', `${prefix}%`)
    .select('id', 'external_id', 'state', 'amount', 'cabinet_id') as Array<{ id: bigint;
    external_id: string; state: string }>
  const byTxn = new Map(rows.map((r) => [r.external_id, r]))
  for (const a of ok) {
    const row = byTxn.get(a.txn)
    if (!row) problems.push(`txn ${a.txn} answered 0 but is not in the database`)
    else if (a.prvTxn !== String(row.id)) problems.push(`txn ${a.txn} answered another prv_txn`)
  }
  const postings = await db('ledger_transactions')
    .whereIn('idempotency_key', rows.map((r) => `payment:${r.id}`))
    .count({ n: '*' }).first()
  if (Number(postings?.n) !== rows.length) {
    problems.push(`${rows.length} payments but ${postings?.n} credit postings`)
  }
  const notPosted = rows.filter((r) => r.state !== 'posted').length
  if (notPosted) problems.push(`${notPosted} payments not posted`)
  const sum = await db('ledger_entries').sum({ s: 'amount' }).first()
  if (String(sum?.s ?? '0') !== '0') problems.push(`ledger sums to ${sum?.s}, not zero`)
  const negative = await db('accounts').where('balance', '<', 0).count({ n: '*' }).first()
  if (Number(negative?.n)) problems.push(`${negative?.n} balances below zero`)
  const drift = await db.raw(`select a.cabinet_id from accounts a
    left join (select cabinet_id, sum(amount) s from payments where state = 'posted'
      group by cabinet_id) p on p.cabinet_id = a.cabinet_id
    where a.kind = 'cabinet' and a.balance <> coalesce(p.s, 0)`)
  if (drift.rows.length) problems.push(`${drift.rows.length} cabinets differ from their payments`)
  const groups = new Map<string, Set<string>>()
  for (const a of answers.filter((x) => x.result === 0)) {
    groups.set(a.txn, (groups.get(a.txn) ?? new Set()).add(a.body))
  }
  const differing = [...groups.values()].filter((s) => s.size > 1).length
  if (differing) problems.push(`${differing} repeated payments got differing replies`)
  return { drill, sent: answers.length, answeredOk: ok.length,
    other: answers.length - ok.length, posted: rows.length - notPosted, problems }
}

async function main() {
  const { db, url: databaseUrl } = await freshBenchDb('cg_drills', 6)
  const accounts = await seedCabinets(db, 300)
  const redis = new Redis(redisUrl)
  await redis.flushdb()
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: 'cgdrill',
    SWEEP_AFTER_MS: '2000', SWEEP_INTERVAL_MS: '1000' }
  const port = 4100 + Math.floor(Math.random() * 400)
  const gateway = await startGateway({ ...env, ROLE: 'gateway' }, port)
  let worker: GatewayProcess = await startGateway({ ...env, ROLE: 'worker' }, port + 1)
  const results: Check[] = []
  try {
    // 1. kill -9 the worker in the middle of a burst, restart it a second later.
    let sending = sendBurst(gateway.url, accounts, 'k', burst)
    await sleep(quick ? 800 : 2000)
    await worker.stop('SIGKILL')
    await sleep(1000)
    worker = await startGateway({ ...env, ROLE: 'worker' }, port + 1)
    results.push(await verify(db, 'worker killed (kill -9)', 'k', await sending))

    // 2. flush Redis in the middle of a burst: queued jobs vanish.
    sending = sendBurst(gateway.url, accounts, 'f', burst)
    await sleep(quick ? 500 : 1500)
    await redis.flushdb()
    results.push(await verify(db, 'redis flushed', 'f', await sending))

    // 3. every pay twice, the second after a random delay.
    results.push(await verify(db, 'every pay sent twice', 'd',
      await sendBurst(gateway.url, accounts, 'd', burst / 2, 16, true)))

    // 4. restart Postgres during a burst (not in --quick: it stops every client).
    if (!quick) {
      sending = sendBurst(gateway.url, accounts, 'r', burst)
      await sleep(1500)
      const cluster = execFileSync('bash', ['-c', 'ls /etc/postgresql | head -1'],
        { encoding: 'utf8' }).trim()
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'restart'])
      results.push(await verify(db, 'postgres restarted', 'r', await sending))
    }
  } finally {
    await gateway.stop()
    await worker.stop()
    await redis.flushdb()
    redis.disconnect()
    await db.destroy()
    await dropBenchDb('cg_drills')
  }
  let failed = 0
  for (const r of results) {
    const verdict = r.problems.length ? 'FAILED' : 'ok'
    if (r.problems.length) failed += 1
    process.stdout.write(`${r.drill.padEnd(28)} sent ${String(r.sent).padStart(5)}  ` +
      `answered 0: ${String(r.answeredOk).padStart(5)}  other: ${String(r.other).padStart(4)}  ` +
      `posted: ${String(r.posted).padStart(5)}  ${verdict}\n`)
    for (const p of r.problems) process.stdout.write(`    ${p}\n`)
  }
  process.stdout.write(`drills: ${results.length - failed} passed, ${failed} failed\n`)
  process.exitCode = failed ? 1 : 0
}

await main()
