import test from 'ava'
import { useDb } from '../../test/helpers/db.ts'
import { cabinetFactory } from '../../test/helpers/factories.ts'
import { isGatewayError } from '../errors.ts'
import { registryProfile } from './profile.ts'
import type { OutputFormat } from './report.ts'
import { reconcile } from './run.ts'
import { paymentFactory, providersWith, registryFile, Sink } from './testkit.ts'

const ctx = useDb(test)
const providers = providersWith({
  cats: {}, edge: {}, moscow: { timeZone: 'Europe/Moscow' }, broken: {},
  resent: {}, cut: { registry: { cutoff: '23:00' } }, trailer: {},
  csvp: { registry: { format: 'csv' } }, xmlp: { registry: { format: 'xml' } },
  badcsv: { registry: { format: 'csv' } }, badxml: { registry: { format: 'xml' } },
})

async function run(provider: string, day: string, file: string, output: OutputFormat = 'json') {
  const out = new Sink()
  const notes = new Sink()
  const outcome = await reconcile(ctx.db, { profile: registryProfile(providers, provider), day,
    file, output, out, notes, operator: 'test' })
  return { outcome, text: out.text(), notes: notes.text(),
    report: output === 'json' ? JSON.parse(out.text()) : undefined }
}

type ReportItem = { category: string; txnId: string | null; line: number | null; note: string }
const byCategory = (report: { items: ReportItem[] }) => {
  const m: Record<string, string[]> = {}
  for (const i of report.items) (m[i.category] ??= []).push(i.txnId ?? `line ${i.line}`)
  return m
}
const count = (report: { summary: Array<{ category: string; count: string }> }, c: string) =>
  report.summary.find((s) => s.category === c)?.count

test('every category is found and counted, with exit code 1', async (t) => {
  const a = await cabinetFactory(ctx.db)
  const b = await cabinetFactory(ctx.db)
  const pay = (externalId: string, amount: bigint, providerTime: string,
    extra: { state?: 'reversed'; payer?: string } = {}) => paymentFactory(ctx.db, {
    provider: 'cats', externalId, cabinetId: a.id, payerRef: extra.payer ?? `AA${a.id}`,
    amount, providerTime, state: extra.state })
  await pay('m1', 1000n, '2026-12-03T08:00:00Z')
  await pay('m2', 250n, '2026-12-03T08:10:00Z')
  await pay('a1', 1000n, '2026-12-03T08:20:00Z')
  await pay('p1', 1000n, '2026-12-03T08:30:00Z')
  await pay('t1', 700n, '2026-12-03T08:40:00Z')
  await pay('d1', 500n, '2026-12-03T09:00:00Z', { payer: 'AA7777777' })
  await pay('d2', 500n, '2026-12-03T09:03:00Z', { payer: 'AA7777777' })
  await pay('s1', 900n, '2026-12-03T09:10:00Z', { state: 'reversed' })
  await pay('l1', 300n, '2026-12-03T20:00:00Z')
  const registry = [
    `m1\t03.12.2026\t12:00:00\tAA${a.id}\t10.00`,
    `m2\t03.12.2026\t12:10:00\tAA${a.id}\t2.50`,
    `a1\t03.12.2026\t12:20:00\tAA${a.id}\t10.01`,
    `p1\t03.12.2026\t12:30:00\tAA${b.id}\t10.00`,
    `d1\t03.12.2026\t13:00:00\tAA7777777\t5.00`,
    `s1\t03.12.2026\t13:10:00\tAA${a.id}\t9.00`,
    `l1\t03.12.2026\t23:59:58\tAA${a.id}\t3.00`,
    `o1\t03.12.2026\t14:00:00\tAA${a.id}\t4.00`,
    `m2\t03.12.2026\t12:10:00\tAA${a.id}\t2.50`,
    'Total: 9 56.01',
  ].join('\n')
  const { outcome, report } = await run('cats', '2026-12-03', registryFile('r.tsv', registry))
  t.is(outcome.exitCode, 1)
  t.false(report.clean)
  t.is(report.trailer.status, 'ok')
  t.deepEqual(byCategory(report), {
    missing_ours: ['o1'], missing_theirs: ['t1'], amount_mismatch: ['a1'],
    payer_mismatch: ['p1'], status_mismatch: ['s1'], duplicate_theirs: ['m2'],
    duplicate_ours: ['d2'], late: ['l1'],
  })
  t.is(count(report, 'matched'), '3')
  const summary = report.summary.find((s: { category: string }) => s.category === 'amount_mismatch')
  t.deepEqual(summary, { category: 'amount_mismatch', count: '1', ours: '10.00', theirs: '10.01' })
  const dup = report.items.find((i: ReportItem) => i.category === 'duplicate_theirs')
  t.is(dup.line, 9)
  t.is(dup.note, 'same id as line 2')
})

test('a registry of a clean day exits 0 and gives the same bytes every time', async (t) => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'edge', externalId: 'e1', cabinetId: a.id,
    payerRef: 'aa 1234567', amount: 1045n, providerTime: '2026-12-03T19:59:59Z' })
  await paymentFactory(ctx.db, { provider: 'edge', externalId: 'e2', cabinetId: a.id,
    payerRef: 'AA1234567', amount: 100n, providerTime: '2026-12-03T20:00:00Z' })
  await paymentFactory(ctx.db, { provider: 'edge', externalId: 'e0', cabinetId: a.id,
    payerRef: 'AA1234567', amount: 100n, providerTime: '2026-12-02T19:59:59Z' })
  // 23:59:59 in Baku is the 3rd; 00:00:00 is already the 4th.
  const third = registryFile('3.tsv',
    'e1\t03.12.2026\t23:59:59\tAA1234567\t10.45\r\nTotal: 1 10.45\r\n')
  const fourth = registryFile('4.tsv', 'e2\t04.12.2026\t00:00:00\tAA1234567\t1.00\nTotal: 1 1.00')
  const first = await run('edge', '2026-12-03', third, 'table')
  t.is(first.outcome.exitCode, 0, first.text)
  t.regex(first.text, /Result: clean/)
  const again = await run('edge', '2026-12-03', third, 'table')
  t.is(again.text, first.text)
  const next = await run('edge', '2026-12-04', fourth)
  t.is(next.outcome.exitCode, 0)
  t.is(count(next.report, 'matched'), '1')
})

test('a registry in Moscow time is read in its own zone', async (t) => {
  const a = await cabinetFactory(ctx.db)
  // 20:30 UTC is 23:30 on the 3rd in Moscow and 00:30 on the 4th in Baku.
  await paymentFactory(ctx.db, { provider: 'moscow', externalId: '881', cabinetId: a.id,
    payerRef: 'AA0000001', amount: 500n, providerTime: '2026-12-03T20:30:00Z' })
  const text = '881\t03.12.2026\t23:30:00\tAA0000001\t5.00\nTotal: 1 5.00\n'
  const { outcome, report } = await run('moscow', '2026-12-03', registryFile('m.tsv', text))
  t.is(outcome.exitCode, 0)
  t.is(report.timeZone, 'Europe/Moscow')
  t.deepEqual(report.window, { start: '2026-12-03 00:00:00', end: '2026-12-04 00:00:00' })
  const inBaku = await reconcile(ctx.db, { profile: { ...registryProfile(providers, 'moscow'),
    timeZone: 'Asia/Baku' }, day: '2026-12-03', file: registryFile('m.tsv', text),
  output: 'json', out: new Sink(), notes: new Sink(), operator: 'test' })
  t.is(inBaku.totals.find((c) => c.category === 'late')?.count, 1n)
})

test('a cut-off of 23:00 moves a payment at 23:30 to the next day', async (t) => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'cut', externalId: 'c1', cabinetId: a.id,
    payerRef: 'AA0000002', amount: 100n, providerTime: '2026-12-03T19:30:00Z' })
  const text = 'c1\t03.12.2026\t23:30:00\tAA0000002\t1.00\nTotal: 1 1.00\n'
  const onThird = await run('cut', '2026-12-03', registryFile('c.tsv', text))
  t.deepEqual(byCategory(onThird.report), { late: ['c1'] })
  const onFourth = await run('cut', '2026-12-04', registryFile('c.tsv', text))
  t.is(onFourth.outcome.exitCode, 0)
  t.deepEqual(onFourth.report.window, { start: '2026-12-03 23:00:00',
    end: '2026-12-04 23:00:00' })
})

test('a malformed line is reported with its number and the rest is reconciled', async (t) => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'broken', externalId: 'g1', cabinetId: a.id,
    payerRef: 'AA0000003', amount: 100n, providerTime: '2026-12-03T08:00:00Z' })
  const text = [
    'g1\t03.12.2026\t12:00:00\tAA0000003\t1.00',
    'g2\t03.12.2026\t12:00:00\tAA0000003\t10,45',
    'g3\t31.11.2026\t12:00:00\tAA0000003\t1.00',
    'Total: 3 2.00',
  ].join('\n')
  const { outcome, report } = await run('broken', '2026-12-03', registryFile('b.tsv', text))
  t.is(outcome.exitCode, 1)
  t.is(report.malformed, 2)
  t.is(count(report, 'matched'), '1')
  const bad = report.items.filter((i: ReportItem) => i.category === 'malformed')
  t.deepEqual(bad.map((i: ReportItem) => i.line), [2, 3])
  t.regex(bad[0].note, /amount "10,45" is not a decimal/)
  t.regex(bad[1].note, /date "31.11.2026"/)
})

test('a trailer that disagrees with the lines, or is missing, is a discrepancy', async (t) => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'trailer', externalId: 'k1', cabinetId: a.id,
    payerRef: 'AA0000004', amount: 100n, providerTime: '2026-12-03T08:00:00Z' })
  const line = 'k1\t03.12.2026\t12:00:00\tAA0000004\t1.00\n'
  const wrong = await run('trailer', '2026-12-03', registryFile('t.tsv', `${line}Total: 2 1.00`))
  t.is(wrong.outcome.exitCode, 1)
  t.like(wrong.report.trailer, { status: 'mismatch', count: '2', sum: '1.00', lines: 1 })
  const missing = await run('trailer', '2026-12-03', registryFile('t.tsv', line), 'csv')
  t.is(missing.outcome.exitCode, 1)
  t.regex(missing.text, /^trailer_missing,/m)
})

test('a re-sent file is recognised and noted, and its report is unchanged', async (t) => {
  const a = await cabinetFactory(ctx.db)
  await paymentFactory(ctx.db, { provider: 'resent', externalId: 'r1', cabinetId: a.id,
    payerRef: 'AA0000005', amount: 100n, providerTime: '2026-12-03T08:00:00Z' })
  const text = 'r1\t03.12.2026\t12:00:00\tAA0000005\t1.00\nTotal: 1 1.00\n'
  const first = await run('resent', '2026-12-03', registryFile('QIWI_1_202612031.csv', text))
  t.is(first.outcome.resentOf, null)
  t.is(first.notes, '')
  const second = await run('resent', '2026-12-03', registryFile('QIWI_1_202612032.csv', text))
  t.is(second.outcome.resentOf, first.outcome.runId)
  t.regex(second.notes, new RegExp(`reconciled before: run ${first.outcome.runId} `))
  t.deepEqual({ ...second.report, file: null }, { ...first.report, file: null })
  const runs = await ctx.db('reconciliation_runs').where({ provider: 'resent' }).orderBy('id')
  t.is(runs.length, 2)
  t.is(runs[1].resent_of, runs[0].id)
  t.is(runs[0].file_sha256, runs[1].file_sha256)
})

test('CSV and XML registries are read by their headers and attributes', async (t) => {
  const a = await cabinetFactory(ctx.db)
  for (const provider of ['csvp', 'xmlp']) {
    await paymentFactory(ctx.db, { provider, externalId: 'x1', cabinetId: a.id,
      payerRef: 'AA0000006', amount: 1045n, providerTime: '2026-12-03T08:00:00Z' })
  }
  const csv = 'amount,account,txn_id,time,date\n10.45,AA0000006,x1,12:00:00,2026-12-03\n'
    + '1.00,AA0000006,x2,12:00:00,2026-12-03,extra\n'
  const fromCsv = await run('csvp', '2026-12-03', registryFile('r.csv', csv))
  t.is(count(fromCsv.report, 'matched'), '1')
  t.deepEqual(fromCsv.report.items.map((i: ReportItem) => [i.category, i.line]),
    [['malformed', 3]])
  const xml = '<?xml version="1.0"?>\n<registry count="2" total="11.45">\n'
    + '  <payment txn_id="x1" date="2026-12-03" time="12:00:00" account="AA0000006"'
    + ' amount="10.45"/>\n  <payment txn_id="x9" date="2026-12-03" time="12:00:01"'
    + ' account="AA0000006" amount="1.00"/>\n</registry>\n'
  const fromXml = await run('xmlp', '2026-12-03', registryFile('r.xml', xml))
  t.is(fromXml.report.trailer.status, 'ok')
  t.deepEqual(byCategory(fromXml.report), { missing_ours: ['x9'] })
})

test('an unreadable registry throws before anything is stored', async (t) => {
  const cases: Array<[string, string, string | Buffer]> = [
    ['badxml', 'r.xml', '<registry><payment txn_id="1"'],
    ['badxml', 'r.xml', '<other/>'],
    ['badcsv', 'r.csv', 'id,when\n1,2\n'],
    ['badcsv', 'r.csv', 'txn_id,date,time,account,amount\n"x1,2026-12-03\n'],
    ['badcsv', 'r.csv', Buffer.from([0x74, 0xff, 0xfe, 0x0a])],
  ]
  for (const [provider, name, text] of cases) {
    const err = await t.throwsAsync(run(provider, '2026-12-03', registryFile(name, text)))
    t.true(isGatewayError(err, 'bad_request'), String(err))
    t.regex(err?.message ?? '', /registry is unreadable/)
  }
  const missing = await t.throwsAsync(run('badcsv', '2026-12-03', '/nonexistent/registry.csv'))
  t.true(isGatewayError(missing, 'bad_request'))
  t.is((await ctx.db('reconciliation_runs').whereIn('provider', ['badcsv', 'badxml'])).length, 0)
})
