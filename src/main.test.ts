import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import test from 'ava'
import {
  deletePrefixKeys, nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf,
  startHarness, testPrefix, waitFor,
} from './http/testkit.ts'
import { dropDb, freshDb, type TestDb } from '../test/helpers/db.ts'
import { cabinetFactory } from '../test/helpers/factories.ts'

let tdb: TestDb

test.before(async () => {
  tdb = await freshDb()
})
test.after.always(async () => {
  if (tdb) await dropDb(tdb)
})

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  return { child, stderr: () => stderr }
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise((resolve) => s.close(resolve))
  return port
}

test('a bad configuration value stops the start with a message naming it', async (t) => {
  const bad = run({ PORT: 'eighty', DATABASE_URL: tdb.url })
  const [code] = await once(bad.child, 'exit')
  t.is(code, 2)
  t.regex(bad.stderr(), /PORT: must be a port number/)

  const file = path.join(tmpdir(), `providers-${process.pid}.json`)
  writeFileSync(file, JSON.stringify(providersOf({ x: osmpNetwork({ allow: ['10.0.0.300'] }) })))
  const badProvider = run({ PROVIDERS_FILE: file, DATABASE_URL: tdb.url })
  const [code2] = await once(badProvider.child, 'exit')
  t.is(code2, 2)
  t.regex(badProvider.stderr(), /providers\.x\.allow/)
})

test('SIGTERM lets an in-flight pay finish and answer before the process exits', async (t) => {
  const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
  const port = await freePort()
  const prefix = testPrefix('main')
  const gw = run({ PORT: String(port), DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix })
  t.teardown(() => {
    gw.child.kill('SIGKILL')
    return deletePrefixKeys('redis://127.0.0.1:6379', prefix).then(() => undefined)
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(() => fetch(`${url}/healthz`).then((r) => r.ok, () => false), 30_000, 100)

  // An uncommitted twin row makes the gateway's insert wait: the request is in flight.
  const hold = await tdb.db.transaction()
  await hold('payments').insert({ provider: 'demo', external_id: 'g1', source: 'terminal',
    payer_ref: 'x', cabinet_id: cab.id, amount: 1, fingerprint: 'x',
    payment_code: '100000000000008' })
  const pending = osmp(url, 'demo', { command: 'pay', txn_id: 'g1',
    account: cab.number.toString(), sum: '4.00', txn_date: '20240131235930' })
  await waitFor(async () => (await tdb.db('pg_stat_activity')
    .where({ datname: tdb.name, wait_event_type: 'Lock' })).length > 0, 10_000)
  gw.child.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 300))
  t.is(gw.child.exitCode, null, 'still running while the request is in flight')
  await hold.rollback()

  const reply = await pending
  t.is(resultOf(reply.body), 0)
  const [code] = await once(gw.child, 'exit')
  t.is(code, 0)
  t.truthy(await tdb.db('payments').where({ provider: 'demo', external_id: 'g1' }).first())
})

test('ROLE=worker serves health and metrics only, and stops cleanly on SIGTERM', async (t) => {
  const port = await freePort()
  const prefix = testPrefix('role')
  const w = run({ ROLE: 'worker', PORT: String(port), DATABASE_URL: tdb.url,
    QUEUE_PREFIX: prefix })
  t.teardown(() => {
    w.child.kill('SIGKILL')
    return deletePrefixKeys('redis://127.0.0.1:6379', prefix).then(() => undefined)
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(() => fetch(`${url}/readyz`).then((r) => r.ok, () => false), 30_000, 100)
  t.is((await fetch(`${url}/metrics`)).status, 200)
  const terminal = await osmp(url, 'demo', { command: 'check', txn_id: '1' })
  t.is(terminal.status, 404)
  w.child.kill('SIGTERM')
  const [code] = await once(w.child, 'exit')
  t.is(code, 0)
})

test('/healthz, /readyz and /metrics answer', async (t) => {
  const h = await startHarness({ db: tdb.db, prefix: testPrefix('health'),
    providers: providersOf({ t1: osmpNetwork() }) })
  t.teardown(() => h.close())
  t.deepEqual(await (await fetch(`${h.url}/healthz`)).json(), { status: 'ok' })
  const ready = await fetch(`${h.url}/readyz`)
  t.is(ready.status, 200)
  t.deepEqual(await ready.json(), { status: 'ready', postgres: 'ok', redis: 'ok' })
  await osmp(h.url, 't1', { command: 'check', txn_id: '1', account: 'AA0000000', sum: '1' })
  const metrics = await fetch(`${h.url}/metrics`)
  t.regex(metrics.headers.get('content-type') ?? '', /text\/plain/)
  const text = await metrics.text()
  t.true(text.includes('http_requests_total{route="/terminal/:network",method="GET",'
    + 'status="200",outcome="osmp:5"} 1'))
  for (const name of ['payments_accepted_total', 'payments_posted_total',
    'sweeper_reenqueued_total', 'payment_mismatches_total', 'credit_lag_seconds']) {
    t.true(text.includes(name), name)
  }
})
