import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { Queue } from 'bullmq'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { paymentFactory, registryFile } from '../reconcile/testkit.ts'

const ctx = useDb(test)
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
  '../../bin/cabinet-gateway.js')
const prefix = `cg-recon-cli-${process.pid}`
const providersFile = registryFile('providers.json', JSON.stringify({
  providers: {
    milli: { protocol: 'osmp', timeZone: 'Asia/Baku', allow: ['127.0.0.1/32'] },
    emanat: { protocol: 'osmp', allow: ['127.0.0.1/32'] },
  },
}))

test.after.always(async () => {
  const q = new Queue('credits', { prefix, connection: { host: '127.0.0.1', port: 6379 } })
  await q.obliterate({ force: true })
  await q.close()
})

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: ctx.url, PROVIDERS_FILE: providersFile,
        QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' },
    }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr })
    })
  })
}

let seeded: Promise<bigint> | undefined
const seed = () => (seeded ??= (async () => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'milli', externalId: '5001', cabinetId: a.id,
    payerRef: 'AA0123456', amount: 1045n, providerTime: '2026-12-03T08:00:00Z',
    state: 'posted' })
  await paymentFactory(ctx.db, { provider: 'milli', externalId: '5002', cabinetId: a.id,
    payerRef: 'AA0123456', amount: 200n, providerTime: '2026-12-03T09:00:00Z',
    state: 'posted' })
  return a.number
})())

test('exit codes say clean (0), discrepancies (1) and unreadable (2)', async (t) => {
  await seed()
  const clean = registryFile('clean.tsv', '5001\t03.12.2026\t12:00:00\tAA0123456\t10.45\n'
    + '5002\t03.12.2026\t13:00:00\tAA0123456\t2.00\nTotal: 2 12.45\n')
  const ok = await cli('reconcile', '--provider', 'milli', '--date', '2026-12-03', clean)
  t.is(ok.code, 0, ok.stderr)
  t.regex(ok.stdout, /Result: clean/)
  t.is(ok.stderr, '', 'no progress bar when stderr is not a terminal')

  const short = registryFile('short.tsv', '5001\t03.12.2026\t12:00:00\tAA0123456\t10.45\n'
    + 'Total: 1 10.45\n')
  const bad = await cli('reconcile', '--provider', 'milli', '--date', '2026-12-03', '--csv', short)
  t.is(bad.code, 1)
  t.regex(bad.stdout, /^missing_theirs,5002,,\d+,,2\.00,/m)

  const gone = await cli('reconcile', '--provider', 'milli', '--date', '2026-12-03', '/nope.tsv')
  t.is(gone.code, 2)
  t.regex(gone.stderr, /registry is unreadable/)
  const usage = await cli('reconcile', '--provider', 'nobody', '--date', '2026-12-03', clean)
  t.is(usage.code, 2)
  t.regex(usage.stderr, /unknown provider "nobody"/)
})

test('our exported registry, reconciled from the command line, is clean', async (t) => {
  await seed()
  for (const format of ['qiwi-tsv', 'csv', 'xml']) {
    const file = registryFile(`ours.${format}`, '')
    const exported = await cli('registry', '--provider', 'milli', '--date', '2026-12-03',
      '--format', format, '--output', file)
    t.is(exported.code, 0, exported.stderr)
    t.regex(exported.stderr, /wrote 2 payment\(s\)/)
    const back = await cli('reconcile', '--provider', 'milli', '--date', '2026-12-03',
      '--format', format, '--json', file)
    t.is(back.code, 0, back.stdout)
    t.is(JSON.parse(back.stdout).clean, true)
  }
})

test('payments:list filters by provider and day, payments:show finds a txn id', async (t) => {
  await seed()
  const list = await cli('payments:list', '--provider', 'milli', '--date', '2026-12-03',
    '--state', 'posted', '--json')
  t.is(list.code, 0, list.stderr)
  t.deepEqual(JSON.parse(list.stdout).map((p: { txn_id: string }) => p.txn_id),
    ['5002', '5001'])
  const none = await cli('payments:list', '--provider', 'milli', '--date', '2026-12-04',
    '--csv')
  t.is(none.stdout.trim().split('\n').length, 1)
  const show = await cli('payments:show', '5001', '--json')
  t.is(show.code, 0, show.stderr)
  const [p] = JSON.parse(show.stdout)
  t.like(p, { provider: 'milli', txnId: '5001', amount: '10.45', state: 'posted',
    holder: 'HƏMİDOV V. M.' })
  const missing = await cli('payments:show', 'no-such-txn')
  t.is(missing.code, 1)
})

test('sweep re-enqueues a stuck payment and reports card orders it cannot settle', async (t) => {
  const a = await cabinetFactory(ctx.db)
  const id = await paymentFactory(ctx.db, { provider: 'emanat', externalId: 'stuck-1',
    cabinetId: a.id, payerRef: 'AA0123456', amount: 300n, providerTime: null,
    receivedAt: '2026-12-01T08:00:00Z' })
  await ctx.db('card_orders').insert({ processor: 'gone', order_number: '12345678',
    cabinet_id: a.id, channel: 'cabinet', amount: 1000n })
  const swept = await cli('sweep', '--json')
  t.is(swept.code, 1, swept.stderr)
  const [payments, , , orphaned] = JSON.parse(swept.stdout)
  t.like(orphaned, { what: 'card orders of unconfigured processors', count: 1 })
  t.like(payments, { what: 'payments accepted but not posted', action: 're-enqueued for posting',
    oldest: '2026-12-01T08:00:00.000Z' })
  t.true(payments.count >= 1)
  const q = new Queue('credits', { prefix, connection: { host: '127.0.0.1', port: 6379 } })
  t.truthy(await q.getJob(`p-${id}`))
  await q.close()
})
