/**
 * Reconciliation at scale: a registry of 1,000,000 lines against a database
 * holding the matching payments. Prints the time and peak RSS of the
 * reconcile itself, which runs in a child process so that setting up the data
 * does not count. Target on 2 cores: within 30 s and 200 MB.
 *
 *   npx tsx bench/reconcile.ts [lines]
 *   BENCH_NODE_FLAGS=--max-old-space-size=64 npx tsx bench/reconcile.ts
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createDb } from '../src/db.ts'
import { formatAmount } from '../src/money.ts'
import { registryProfile } from '../src/reconcile/profile.ts'
import { reconcile } from '../src/reconcile/run.ts'
import { providersWith, Sink } from '../src/reconcile/testkit.ts'
import { cabinetFactory } from '../test/helpers/factories.ts'
import { dropDb, freshDb } from '../test/helpers/db.ts'

const day = '2026-12-03'
// Midnight of the day in Baku (UTC+4), as UTC.
const dayStartMs = Date.parse('2026-12-02T20:00:00Z')
const amountOf = (i: number) => BigInt(100 + (i % 49_900))
const timeOf = (i: number, n: number) => new Date(dayStartMs + Math.floor(i * 86_399_000 / n))

async function child(url: string, file: string): Promise<void> {
  const db = createDb(url, { min: 0, max: 2 })
  const started = performance.now()
  const outcome = await reconcile(db, { profile: registryProfile(providersWith({ bench: {} }),
    'bench'), day, file, output: 'json', out: new Sink(), notes: process.stderr,
  operator: 'bench' })
  const ms = performance.now() - started
  await db.destroy()
  const byCategory = Object.fromEntries(outcome.totals.map((t) => [t.category,
    Number(t.count)]))
  process.stdout.write(JSON.stringify({ ms: Math.round(ms),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), trailer: outcome.trailer.status,
    categories: byCategory }))
}

async function writeRegistry(file: string, n: number): Promise<void> {
  const out = createWriteStream(file)
  let sum = 0n
  let buf = ''
  for (let i = 0; i < n; i++) {
    const at = new Date(timeOf(i, n).getTime() + 4 * 3_600_000).toISOString()
    const local = `${at.slice(8, 10)}.${at.slice(5, 7)}.${at.slice(0, 4)}\t${at.slice(11, 19)}`
    sum += amountOf(i)
    buf += `${1_000_000_000 + i}\t${local}\tAA${String(i % 10_000_000).padStart(7, '0')}\t`
      + `${formatAmount(amountOf(i))}\n`
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(`${buf}Total: ${n} ${formatAmount(sum)}\n`)
  await once(out, 'close')
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000)
  const dir = mkdtempSync(path.join(tmpdir(), 'cg-bench-recon-'))
  const file = path.join(dir, 'registry.tsv')
  const ctx = await freshDb({ min: 0, max: 2 })
  try {
    let t = performance.now()
    const cabinet = await cabinetFactory(ctx.db)
    await ctx.db.raw(`insert into payments (provider, external_id, source, payer_ref, cabinet_id,
        amount, fingerprint, provider_time_raw, provider_time, received_at, payment_code)
      select 'bench', (1000000000 + i)::text, 'terminal',
        'AA' || lpad((i % 10000000)::text, 7, '0'), ?, 100 + i % 49900, 'bench', null,
        to_timestamp((? + floor(i::numeric * 86399000 / ?)) / 1000.0),
        to_timestamp((? + floor(i::numeric * 86399000 / ?)) / 1000.0),
        lpad(i::text, 15, '0')
      from generate_series(0, ? - 1) as i`,
    [cabinet.id.toString(), dayStartMs, n, dayStartMs, n, n])
    await ctx.db.raw('analyze payments')
    process.stderr.write(`inserted ${n} payments in ${Math.round(performance.now() - t)} ms\n`)
    t = performance.now()
    await writeRegistry(file, n)
    process.stderr.write(`wrote the registry in ${Math.round(performance.now() - t)} ms\n`)
    // The operator program's own heap cap (bin/cabinet-gateway.js), unless told otherwise.
    const flags = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=128').split(' ')
      .filter(Boolean)
    const proc = spawn(process.execPath, [...flags, '--import', 'tsx', process.argv[1] ?? '',
      '--child', ctx.url, file], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.on('data', (d) => { out += d })
    const [code] = await once(proc, 'exit')
    if (code !== 0) throw new Error(`reconcile child exited with ${code}`)
    const r = JSON.parse(out)
    process.stdout.write(`reconciled ${n} lines in ${(r.ms / 1000).toFixed(1)} s, `
      + `peak RSS ${r.maxRssMB} MB, trailer ${r.trailer}, `
      + `matched ${r.categories.matched}\n${JSON.stringify({ lines: n, ...r })}\n`)
  } finally {
    await dropDb(ctx)
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '', process.argv[4] ?? '')
else await main()
