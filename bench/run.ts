/**
 * `npm run bench`: every figure the gateway is measured by, printed as a table
 * and written to bench/results/latest.json. `--quick` shortens each run.
 */
import { spawnSync } from 'node:child_process'
import { insertCeiling } from './ceiling.ts'
import { historyLatency } from './history.ts'
import { report, type Figure } from './lib.ts'
import { payThroughput } from './pay.ts'
import { workerThroughput } from './worker.ts'

const quick = process.argv.includes('--quick')
const seconds = quick ? 4 : 10
const connections = [1, 32, 128]
const figures: Figure[] = []
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

log('terminal pay throughput against a running gateway')
const pay = await payThroughput(connections, seconds, quick ? 2 : 5)
log('Postgres single-row insert ceiling (pgbench)')
const ceiling = await insertCeiling(connections, seconds)
for (const p of pay) {
  const c = p.connections
  const ceil = ceiling.get(c)
  const ratio = p.perSecond / (ceil?.perSecond ?? NaN)
  const at32 = c === 32
  figures.push(
    { name: `pay at ${c} connections`, value: p.perSecond, unit: 'req/s',
      ...(at32 ? { target: '>= 3000', pass: p.perSecond >= 3000 } : {}) },
    { name: `pay at ${c} connections, p50`, value: p.p50, unit: 'ms' },
    { name: `pay at ${c} connections, p99`, value: p.p99, unit: 'ms',
      ...(at32 ? { target: '<= 50', pass: p.p99 <= 50 } : {}) },
    { name: `pay at ${c} connections, answers not result 0`, value: p.notOk + p.non2xx,
      unit: 'replies', target: '0', pass: p.notOk + p.non2xx === 0 },
    { name: `pay at ${c} connections, every 0 posted, ledger sums to 0`,
      value: p.booksAgree ? 1 : 0, unit: 'yes=1', target: '1', pass: p.booksAgree },
    { name: `pay at ${c} connections, all posted after`, value: p.postedAfterMs, unit: 'ms' },
    { name: `insert ceiling at ${Math.min(c, 64)} clients`, value: ceil?.perSecond ?? NaN,
      unit: 'tx/s' },
    { name: `gateway over ceiling at ${c}`, value: ratio, unit: 'ratio',
      ...(at32 ? { target: '>= 0.5', pass: ratio >= 0.5 } : {}) },
  )
  // What each side cost the machine: on a few cores the ratio is roughly the
  // CPU of one bare insert over the CPU of one whole payment.
  if (p.cpu) {
    const u = p.cpu.perUnitUs
    figures.push({ name: `pay at ${c}: machine CPU per payment`, value: u.machine ?? NaN,
      unit: 'µs' })
    if (at32) {
      for (const part of ['gateway', 'postgres', 'redis', 'loadgen', 'other']) {
        figures.push({ name: `pay at ${c}: ... of which ${part}`, value: u[part] ?? NaN,
          unit: 'µs' })
      }
      figures.push({ name: `pay at ${c}: machine idle`, value: p.cpu.idle * 100, unit: '%' })
    }
  }
  if (ceil?.cpu) {
    figures.push({ name: `insert ceiling at ${Math.min(c, 64)}: machine CPU per insert`,
      value: ceil.cpu.perUnitUs.machine ?? NaN, unit: 'µs' })
  }
}

log('worker alone: batched posting against one transaction per payment')
const worker = await workerThroughput(quick ? 20_000 : 100_000, quick ? 2_000 : 10_000)
figures.push(
  { name: 'worker posting, batched', value: worker.batchedPerSecond, unit: 'payments/s',
    target: '>= 10000', pass: worker.batchedPerSecond >= 10_000 },
  { name: 'worker posting, one transaction each (32 at once)', value: worker.singlePerSecond,
    unit: 'payments/s' },
)

log('cabinet history with 1,000,000 ledger entries')
const history = await historyLatency(quick ? 200_000 : 1_000_000)
figures.push(
  { name: 'history page, typical cabinet, p50', value: history.typicalP50, unit: 'ms' },
  { name: 'history page, typical cabinet, p99', value: history.typicalP99, unit: 'ms',
    target: '<= 20', pass: history.typicalP99 <= 20 },
  { name: 'history page, cabinet with 50,000 entries, p99', value: history.heavyP99,
    unit: 'ms', target: '<= 20', pass: history.heavyP99 <= 20 },
)

log('reconciliation of a 1,000,000-line registry')
const lines = quick ? 100_000 : 1_000_000
const recon = spawnSync(process.execPath, ['--import', 'tsx', 'bench/reconcile.ts',
  String(lines)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
const reconFigures = (() => {
  const line = recon.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'))
  try {
    return JSON.parse(line ?? '') as { ms: number; maxRssMB: number }
  } catch {
    return undefined
  }
})()
if (reconFigures) {
  figures.push(
    { name: `reconcile ${lines} lines, time`, value: reconFigures.ms / 1000, unit: 's',
      target: '<= 30', pass: reconFigures.ms <= 30_000 },
    { name: `reconcile ${lines} lines, peak memory`, value: reconFigures.maxRssMB, unit: 'MB',
      target: '<= 200', pass: reconFigures.maxRssMB <= 200 },
  )
} else {
  log(`reconciliation benchmark gave no figures (exit ${recon.status})`)
}

report(`cabinet-gateway benchmarks${quick ? ' (quick)' : ''}`, figures, 'latest.json')
