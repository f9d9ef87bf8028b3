import test from 'ava'
import { pino } from 'pino'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { createMetrics } from '../http/metrics.ts'
import { createCreditsQueue, type CreditsQueue } from '../queue/credits.ts'
import { inboxCredit } from './apply.ts'
import { registryProfile } from './profile.ts'
import { reconcile } from './run.ts'
import { paymentFactory, providersWith, registryFile, Sink } from './testkit.ts'

const ctx = useDb(test)
const prefix = `cg-recon-apply-${process.pid}`
let credits: CreditsQueue
test.before(() => {
  credits = createCreditsQueue('redis://127.0.0.1:6379', prefix, pino({ level: 'silent' }))
})
test.after.always(async () => {
  await credits.queue.obliterate({ force: true })
  await credits.close()
})

const providers = providersWith({ milli: {} })

async function applyOnce(file: string) {
  const deps = { db: ctx.db, log: pino({ level: 'silent' }), metrics: createMetrics(),
    queues: { credits } }
  const out = new Sink()
  const outcome = await reconcile(ctx.db, { profile: registryProfile(providers, 'milli'),
    day: '2026-12-03', file, output: 'json', out, notes: new Sink(), operator: 'ops-anar',
    apply: inboxCredit(deps) })
  return { outcome, report: JSON.parse(out.text()) }
}

test('--apply credits what is missing ours once and marks the rest for review', async (t) => {
  const a = await cabinetFactory(ctx.db)
  const { document } = await ctx.db('cabinets').where({ id: a.id }).first('document')
  await paymentFactory(ctx.db, { provider: 'milli', externalId: '100', cabinetId: a.id,
    payerRef: 'X', amount: 100n, providerTime: '2026-12-03T08:00:00Z' })
  await paymentFactory(ctx.db, { provider: 'milli', externalId: '101', cabinetId: a.id,
    payerRef: 'X', amount: 200n, providerTime: '2026-12-03T08:00:00Z' })
  const file = registryFile('milli.tsv', [
    '100\t03.12.2026\t12:00:00\tX\t1.50',
    `200\t03.12.2026\t12:05:00\t${document.toLowerCase()}\t7.00`,
    '201\t03.12.2026\t12:06:00\tAA9999999\t3.00',
    'Total: 3 11.50',
  ].join('\n'))

  const first = await applyOnce(file)
  t.is(first.outcome.exitCode, 1)
  t.deepEqual(first.report.applied,
    { credited: 1, alreadyCredited: 0, refused: 1, markedForReview: 3 })
  const credited = await ctx.db('payments').where({ provider: 'milli', external_id: '200' })
    .first()
  t.like(credited, { source: 'operator', state: 'accepted', amount: 700n, cabinet_id: a.id,
    payer_ref: document.toLowerCase(), provider_time_raw: '2026-12-03 12:05:00' })
  t.deepEqual(credited.provider_time, new Date('2026-12-03T08:05:00Z'))
  t.like(credited.metadata, { approvedBy: 'ops-anar',
    reconciliationRun: first.outcome.runId.toString() })
  t.truthy(await credits.queue.getJob(`p-${credited.id}`))

  const reviews = () => ctx.db('reconciliation_reviews').where({ provider: 'milli' })
    .orderBy('item_key').select('category', 'item_key', 'first_run_id', 'last_run_id')
  t.deepEqual((await reviews()).map((r) => [r.category, r.item_key]), [
    ['amount_mismatch', '100'], ['missing_theirs', '101'], ['missing_ours', '201'],
  ])

  const paymentsBefore = await ctx.db('payments').where({ provider: 'milli' }).count()
  const second = await applyOnce(file)
  t.deepEqual(second.report.applied,
    { credited: 0, alreadyCredited: 0, refused: 1, markedForReview: 3 })
  t.is(second.report.summary.find((s: { category: string }) => s.category === 'matched').count,
    '1')
  t.deepEqual(await ctx.db('payments').where({ provider: 'milli' }).count(), paymentsBefore)
  const after = await reviews()
  t.is(after.length, 3)
  t.true(after.every((r) => r.first_run_id === first.outcome.runId
    && r.last_run_id === second.outcome.runId))
})
