import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { exportRegistry } from './export.ts'
import { registryFormats, registryProfile } from './profile.ts'
import { reconcile } from './run.ts'
import { paymentFactory, providersWith, registryFile, Sink } from './testkit.ts'

const ctx = useDb(test)
const providers = providersWith({ exp: {}, plain: {} })

let seeded: Promise<void> | undefined
const seed = () => (seeded ??= seedPayments())

async function seedPayments(): Promise<void> {
  const a = await cabinetFactory(ctx.db)
  const pay = (externalId: string, amount: bigint, providerTime: string | null,
    extra: { receivedAt?: string; state?: 'posted' | 'reversed'; payerRef?: string } = {}) =>
    paymentFactory(ctx.db, { provider: 'exp', externalId, cabinetId: a.id,
      payerRef: extra.payerRef ?? 'AA0123456', amount, providerTime, ...extra })
  await pay('before', 100n, '2026-12-02T19:59:59Z')
  await pay('first', 1045n, '2026-12-02T20:00:00Z', { state: 'posted' })
  await pay('card-1', 500n, null, { receivedAt: '2026-12-03T10:00:00.750Z',
    payerRef: 'has "quotes", & <angles>' })
  await pay('gone', 300n, '2026-12-03T11:00:00Z', { state: 'reversed' })
  await pay('last', 1n, '2026-12-03T19:59:59Z')
  await pay('after', 100n, '2026-12-03T20:00:00Z')
}

test('the QIWI-style export lists the Baku day with a Total: trailer', async (t) => {
  await seed()
  const out = new Sink()
  const total = await exportRegistry(ctx.db, { profile: registryProfile(providers, 'exp'),
    day: '2026-12-03', out })
  t.deepEqual(total, { count: 3n, sum: 1546n })
  t.is(out.text(), [
    'first\t03.12.2026\t00:00:00\tAA0123456\t10.45',
    'card-1\t03.12.2026\t14:00:00\thas "quotes", & <angles>\t5.00',
    'last\t03.12.2026\t23:59:59\tAA0123456\t0.01',
    'Total: 3 15.46',
    '',
  ].join('\n'))
})

for (const format of registryFormats) {
  test(`our own ${format} export reconciles clean`, async (t) => {
    await seed()
    const profile = { ...registryProfile(providers, 'exp'), format }
    const out = new Sink()
    await exportRegistry(ctx.db, { profile, day: '2026-12-03', out })
    const file = registryFile(`exp.${format}`, out.text())
    const report = new Sink()
    const outcome = await reconcile(ctx.db, { profile, day: '2026-12-03', file,
      output: 'json', out: report, notes: new Sink(), operator: 'test' })
    t.is(outcome.exitCode, 0, report.text())
    t.is(outcome.totals.find((c) => c.category === 'matched')?.count, 3n)
    t.not(outcome.trailer.status, 'mismatch')
  })
}

test('an empty day exports only the trailer, and it reconciles clean', async (t) => {
  const profile = registryProfile(providers, 'plain')
  const out = new Sink()
  await exportRegistry(ctx.db, { profile, day: '2026-12-03', out })
  t.is(out.text(), 'Total: 0 0.00\n')
  const outcome = await reconcile(ctx.db, { profile, day: '2026-12-03',
    file: registryFile('empty.tsv', out.text()), output: 'csv', out: new Sink(),
    notes: new Sink(), operator: 'test' })
  t.is(outcome.exitCode, 0)
})
