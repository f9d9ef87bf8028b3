import net from 'node:net'
import test from 'ava'
import { createDb, type Db } from '../../src/db.ts'
import {
  nextCabinetNumber, osmp, osmpNetwork, providersOf, resultOf, startHarness, tagOf,
  testPrefix, waitFor, type Harness,
} from '../../src/http/testkit.ts'
import { cabinetBalance } from '../../src/ledger/index.ts'
import { dropDb, freshDb, type TestDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'

/**
 * A TCP proxy in front of Postgres or Redis that the test can cut: `down`
 * refuses new connections and drops open ones; `loseReplyAfter` forwards a
 * statement and then drops the connection before the answer comes back;
 * `stall` holds what clients send (the server seems to hang) until `resume`.
 */
class TcpProxy {
  mode: 'up' | 'down' = 'up'
  private sockets = new Set<net.Socket>()
  private trigger: string | undefined
  private held: Array<() => void> | undefined
  private server = net.createServer((client) => this.connect(client))

  constructor(private readonly upstreamPort: number) {}

  stall(): void {
    this.held ??= []
  }

  resume(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const send of held) send()
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as net.AddressInfo).port
  }

  down(): void {
    this.mode = 'down'
    for (const s of this.sockets) s.destroy()
  }

  up(): void {
    this.mode = 'up'
  }

  loseReplyAfter(text: string): void {
    this.trigger = text
  }

  close(): Promise<void> {
    this.down()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private connect(client: net.Socket): void {
    if (this.mode === 'down') {
      client.destroy()
      return
    }
    const upstream = net.connect(this.upstreamPort, '127.0.0.1')
    this.sockets.add(client).add(upstream)
    let cut = false
    client.on('data', (chunk) => {
      if (this.held) {
        this.held.push(() => upstream.write(chunk))
        return
      }
      upstream.write(chunk)
      if (this.trigger && chunk.toString('utf8').includes(this.trigger)) {
        this.trigger = undefined
        cut = true
        // Postgres commits the statement; its answer never reaches the gateway.
        setTimeout(() => {
          client.destroy()
          upstream.destroy()
        }, 200)
      }
    })
    upstream.on('data', (chunk) => {
      if (!cut) client.write(chunk)
    })
    for (const s of [client, upstream]) {
      s.on('error', () => {})
      s.on('close', () => {
        client.destroy()
        upstream.destroy()
        this.sockets.delete(s)
      })
    }
  }
}

let h: Harness
let tdb: TestDb
let proxied: Db
const proxy = new TcpProxy(5432)

test.after.always(async () => {
  await h?.close()
  await proxied?.destroy()
  await proxy.close()
  if (tdb) await dropDb(tdb)
})

test.before(async () => {
  tdb = await freshDb()
  const port = await proxy.listen()
  const url = new URL(tdb.url)
  url.port = String(port)
  proxied = createDb(url.toString(), { min: 0, max: 4 })
  h = await startHarness({ db: proxied, worker: true, prefix: testPrefix('outage'),
    providers: providersOf({ t1: osmpNetwork(),
      far: osmpNetwork({ allow: ['10.0.0.0/8'] }) }) })
})

test.serial('vector 12: Postgres unavailable during pay gives a non-fatal 1; the retry gives 0',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const params = { command: 'pay', txn_id: '9001', account: cab.number.toString(),
      sum: '25.00', txn_date: '20240131235930' }
    proxy.down()
    const during = await osmp(h.url, 't1', params)
    t.is(during.status, 200)
    t.is(resultOf(during.body), 1)
    // The gate needs no database: a refused address is still refused.
    t.is((await osmp(h.url, 'far', params)).status, 403)
    t.is((await tdb.db('payments').where({ external_id: '9001' })).length, 0)
    const ready = await fetch(`${h.url}/readyz`)
    t.is(ready.status, 503)

    proxy.up()
    const after = await osmp(h.url, 't1', params)
    t.is(resultOf(after.body), 0)
    await waitFor(async () => (await cabinetBalance(tdb.db, cab.id)) === 2500n)
    t.is((await fetch(`${h.url}/readyz`)).status, 200)
  })

test.serial('a commit whose answer is lost gives 1; the retry replays the stored 0, one credit',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const params = { command: 'pay', txn_id: '9002', account: cab.number.toString(),
      sum: '3.50', txn_date: '20240131235930' }
    // The accept insert is a prepared statement: its name goes with every execution.
    proxy.loseReplyAfter('accept_payments')
    const lost = await osmp(h.url, 't1', params)
    t.is(resultOf(lost.body), 1)
    const row = await tdb.db('payments').where({ provider: 't1', external_id: '9002' }).first()
    t.truthy(row, 'the payment was committed although the gateway never heard so')

    const retry = await osmp(h.url, 't1', params)
    t.is(resultOf(retry.body), 0)
    t.is(tagOf(retry.body, 'prv_txn'), String(row.id))
    await waitFor(async () => (await cabinetBalance(tdb.db, cab.id)) === 350n)
    const credits = await tdb.db('ledger_transactions')
      .whereRaw(`metadata->>'externalId' = '9002'`)
    t.is(credits.length, 1)
  })

test.serial('Redis unavailable during pay: answered 0 at once, posted later by the sweeper',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const prefix = testPrefix('noredis')
    const away = await startHarness({ db: tdb.db, prefix, providers: providersOf({
      r1: osmpNetwork() }), env: { REDIS_URL: 'redis://127.0.0.1:1' } })
    t.teardown(() => away.close())
    const started = Date.now()
    const res = await osmp(away.url, 'r1', { command: 'pay', txn_id: 'r-1',
      account: cab.number.toString(), sum: '6.00', txn_date: '20240131235930' })
    t.is(resultOf(res.body), 0)
    t.true(Date.now() - started < 1000, 'the payer did not wait for Redis')
    t.is((await fetch(`${away.url}/readyz`)).status, 503)

    const worker = await startHarness({ db: tdb.db, prefix, worker: true,
      providers: providersOf({ r1: osmpNetwork() }), settings: { sweepAfterMs: 0 } })
    t.teardown(() => worker.close())
    await waitFor(async () => (await cabinetBalance(tdb.db, cab.id)) === 600n)
    t.pass()
  })

test.serial('Redis hanging mid-write: every payer is answered 0 within about a second',
  async (t) => {
    const cab = await cabinetFactory(tdb.db, { number: nextCabinetNumber() })
    const redisProxy = new TcpProxy(6379)
    const port = await redisProxy.listen()
    t.teardown(() => redisProxy.close())
    const prefix = testPrefix('hang')
    const gw = await startHarness({ db: tdb.db, prefix, providers: providersOf({
      h1: osmpNetwork() }), env: { REDIS_URL: `redis://127.0.0.1:${port}` } })
    t.teardown(() => gw.close())
    // Teardowns run last-registered first: a failed assertion must not leave Redis held.
    t.teardown(() => redisProxy.resume())
    const pay = (id: string) => osmp(gw.url, 'h1', { command: 'pay', txn_id: id,
      account: cab.number.toString(), sum: '1.00', txn_date: '20240131235930' })
    t.is(resultOf((await pay('h-0')).body), 0)

    redisProxy.stall()
    // Spread over several turns, so later wake-ups queue behind a hanging one.
    const answers = []
    for (let i = 1; i <= 4; i++) {
      const started = Date.now()
      answers.push(pay(`h-${i}`).then((r) => ({ r, ms: Date.now() - started })))
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    for (const { r, ms } of await Promise.all(answers)) {
      t.is(resultOf(r.body), 0)
      t.true(ms < 1500, `answered after ${ms} ms`)
    }
    redisProxy.resume()
    const worker = await startHarness({ db: tdb.db, prefix, worker: true,
      providers: providersOf({ h1: osmpNetwork() }), settings: { sweepAfterMs: 0 } })
    t.teardown(() => worker.close())
    await waitFor(async () => (await cabinetBalance(tdb.db, cab.id)) === 500n)
  })
