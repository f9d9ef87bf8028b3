import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import test, { type ExecutionContext } from 'ava'
import {
  deletePrefixKeys, nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf,
  startHarness, testPrefix, waitFor, type Harness,
} from '../http/testkit.ts'
import { accountId, balanceOf, cabinetBalance } from '../ledger/index.ts'
import { acceptPayment } from '../payments/accept.ts'
import { sweepAccepted } from '../payments/sweep.ts'
import { creditJobId } from '../queue/credits.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

let tdb: TestDb
const harnesses = new Set<Harness>()
const children: ChildProcess[] = []

test.after.always(async () => {
  for (const c of children) c.kill('SIGKILL')
  for (const h of harnesses) await h.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb({ min: 0, max: 30 })
})

/** A gateway (and maybe a worker) that lives until the end of the calling test. */
async function harness(t: ExecutionContext, worker: boolean, prefix: string, settings = {},
  network = 'k1'): Promise<Harness> {
  const h = await startHarness({ db: tdb.db, worker, prefix, settings,
    providers: providersOf({ [network]: osmpNetwork() }) })
  harnesses.add(h)
  t.teardown(async () => {
    harnesses.delete(h)
    await h.close()
  })
  return h
}

async function accept(provider: string, cabinetId: bigint, n: number, amount = 100n) {
  const ids: bigint[] = []
  for (let i = 0; i < n; i++) {
    const out = await acceptPayment(tdb.db, { provider, externalId: `${provider}-${i}`,
      source: 'terminal', payerRef: 'x', account: 'X', cabinetId, amount })
    ids.push(out.payment.id)
  }
  return ids
}

async function countWhere(sql: string, bindings: unknown[]): Promise<number> {
  const { rows } = await tdb.db.raw(sql, bindings as never)
  return Number(rows[0].count)
}

/** Every payment of the provider is posted, with exactly one ledger transaction each. */
async function postedExactlyOnce(provider: string): Promise<{ posted: number; txs: number }> {
  const posted = await countWhere(
    `select count(*) from payments where provider = ? and state = 'posted'`, [provider])
  const txs = await countWhere(`select count(*) from ledger_transactions
    where metadata->>'provider' = ?`, [provider])
  const doubles = await countWhere(`select count(*) from (select metadata->>'paymentId'
    from ledger_transactions where metadata->>'provider' = ? group by 1
    having count(*) > 1) d`, [provider])
  if (doubles) throw new Error(`${doubles} payments were posted twice`)
  return { posted, txs }
}

test.serial('the worker posts accepted payments in batches, each exactly once', async (t) => {
  const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
  const ids = await accept('batch', cab.id, 600)
  const h = await harness(t, true, testPrefix('batch'), { batchSize: 200 })
  const started = Date.now()
  await h.ctx.queues.credits.queue.addBulk(ids.map((id) => ({ name: 'post',
    data: { paymentId: id.toString() }, opts: { jobId: creditJobId(id) } })))
  await waitFor(async () => (await postedExactlyOnce('batch')).posted === 600, 30_000)
  t.log(`600 payments posted in ${Date.now() - started} ms`)
  t.deepEqual(await postedExactlyOnce('batch'), { posted: 600, txs: 600 })
  t.is(await cabinetBalance(tdb.db, cab.id), 60_000n)
  const clearing = await accountId(tdb.db, { kind: 'clearing', provider: 'batch' })
  t.is(await balanceOf(tdb.db, clearing), -60_000n)
  const sizes = await h.ctx.metrics.creditBatchSize.get()
  const count = sizes.values.find((v) => v.metricName === 'credit_batch_size_count')?.value
  t.true((count ?? 600) < 600 / 4, `${count} batches for 600 payments`)
})

test.serial('jobs are named p-<payment id> and carry no personal data', async (t) => {
  const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
  const prefix = testPrefix('jobs')
  const h = await harness(t, false, prefix, {}, 'j1')
  const res = await osmp(h.url, 'j1', { command: 'pay', txn_id: '77',
    account: cab.number.toString(), sum: '1.00', txn_date: '20240131235930' })
  t.is(resultOf(res.body), 0)
  const row = await tdb.db('payments').where({ provider: 'j1', external_id: '77' }).first()
  const job = await h.ctx.queues.credits.queue.getJob(creditJobId(row.id))
  t.is(job?.id, `p-${row.id}`)
  t.deepEqual(job?.data, { paymentId: String(row.id) })
})

test.serial('a payment that cannot be posted is logged and does not hold back the others',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const [orphan] = await tdb.db('cabinets').insert({ number: nextCabinetNumber(),
      document_series: '-', document_number: 'AA9999999', document: 'AA9999999',
      fin: '9ZZZZZZ', surname: 'X', name: 'Y', sex: 'male', birth_date: '1990-01-01',
      citizenship: 'AZE' }).returning('id')
    const good = await accept('mixed', cab.id, 5)
    const bad = await acceptPayment(tdb.db, { provider: 'mixed', externalId: 'no-account',
      source: 'terminal', payerRef: 'x', account: 'Y', cabinetId: orphan.id, amount: 100n })
    const h = await harness(t, true, testPrefix('mixed'))
    await h.worker!.flusher.flush(bad.payment.id)
    t.is((await postedExactlyOnce('mixed')).posted, good.length)
    const state = await tdb.db('payments').where({ id: bad.payment.id }).first('state')
    t.is(state.state, 'accepted')
    t.true(h.lines.some((l) => l.level === 50 && l.paymentId === String(bad.payment.id)))
    await tdb.db('payments').where({ id: bad.payment.id }).delete()
  })

test.serial('the sweeper re-enqueues accepted payments after Redis lost their jobs',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const prefix = testPrefix('sweep')
    const h = await harness(t, false, prefix)
    const ids = await accept('sweep', cab.id, 3)
    await deletePrefixKeys(h.config.redisUrl, prefix)
    const swept = await sweepAccepted(tdb.db, h.ctx.queues.credits, { olderThanMs: 0 })
    t.true(ids.every((id) => swept.includes(id)))
    for (const id of ids) t.truthy(await h.ctx.queues.credits.queue.getJob(creditJobId(id)))
  })

function spawnWorker(prefix: string): ChildProcess {
  const child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    env: { ...process.env, ROLE: 'worker', PORT: '0', DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent', WORKER_CONCURRENCY: '4', CREDIT_BATCH_SIZE: '10' },
    stdio: 'ignore',
  })
  children.push(child)
  return child
}

test.serial('a killed worker and a flushed Redis lose nothing and double nothing', async (t) => {
  const prefix = testPrefix('kill')
  const gateway = await harness(t, false, prefix)
  const cabs = await Promise.all([1, 2, 3].map(() =>
    cabinetFactory(tdb.db, { number: nextCabinetNumber() })))
  const payTo = (cab: { number: bigint }, from: number, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => osmp(gateway.url, 'k1', {
      command: 'pay', txn_id: `k${from + i}`, account: cab.number.toString(), sum: '2.00',
      txn_date: '20240131235930' })))
  const replies = [
    ...await payTo(cabs[0]!, 0, 200), ...await payTo(cabs[1]!, 200, 200),
    ...await payTo(cabs[2]!, 400, 200),
  ]
  t.true(replies.every((r) => resultOf(r.body) === 0))
  const total = replies.length

  // Holding the third cabinet's account row stops the worker inside a
  // posting transaction: it is killed with work in flight, not between jobs.
  const hold = await tdb.db.transaction()
  await hold('accounts').where({ cabinet_id: cabs[2]!.id }).forUpdate()
  const child = spawnWorker(prefix)
  await waitFor(async () => countWhere(`select count(*) from pg_stat_activity
    where datname = ? and wait_event_type = 'Lock'`, [tdb.name]).then((n) => n > 0), 30_000)
  child.kill('SIGKILL')
  await once(child, 'exit')
  await hold.rollback()
  const kPosted = async () => (await postedExactlyOnce('k1')).posted
  const atKill = await kPosted()
  t.log(`worker killed mid-transaction with ${atKill} of ${total} posted`)
  t.true(atKill < total)
  t.true(await deletePrefixKeys(gateway.config.redisUrl, prefix) > 0)

  await harness(t, true, prefix, { sweepAfterMs: 0, sweepIntervalMs: 200 })
  await waitFor(async () => (await kPosted()) >= total, 30_000)
  t.deepEqual(await postedExactlyOnce('k1'), { posted: total, txs: total })
  for (const cab of cabs) t.is(await cabinetBalance(tdb.db, cab.id), 40_000n)
})
