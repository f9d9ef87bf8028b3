import path from 'node:path'
import type { Writable } from 'node:stream'
import cliProgress from 'cli-progress'
import type { Db, Trx } from '../db.ts'
import { applyRun, type ApplyResult, type CreditPort } from './apply.ts'
import type { RegistryEvent } from './fields.ts'
import { dayWindow, items, match, totals, type CategoryTotal } from './match.ts'
import { parseCsv } from './parse-csv.ts'
import { parseQiwiTsv } from './parse-tsv.ts'
import { parseXml } from './parse-xml.ts'
import type { RegistryFormat, RegistryProfile } from './profile.ts'
import { reportWriter, type OutputFormat, type ReportHead, type TrailerCheck } from './report.ts'
import { openRegistry } from './source.ts'
import { Stage, type StageTotals } from './stage.ts'

type Parser = (bytes: AsyncIterable<Buffer>, encoding: string) => AsyncIterable<RegistryEvent[]>

export const parsers: Record<RegistryFormat, Parser> = {
  'qiwi-tsv': parseQiwiTsv,
  csv: parseCsv,
  xml: parseXml,
}

// Formats whose specification makes the trailer mandatory.
const trailerRequired: Record<RegistryFormat, boolean> = {
  'qiwi-tsv': true, csv: false, xml: false,
}

export interface ReconcileOptions {
  profile: RegistryProfile
  day: string
  file: string
  output: OutputFormat
  /** The report; identical bytes for the same file and the same payments. */
  out: Writable
  /** Notes for the operator (a re-sent file) and the progress bar. */
  notes: Writable
  operator: string
  /** Given: credit what is missing ours and mark the rest for review. */
  apply?: CreditPort
  progress?: boolean
  tableLimit?: number
}

export interface ReconcileOutcome {
  runId: bigint
  clean: boolean
  exitCode: 0 | 1
  resentOf: bigint | null
  totals: CategoryTotal[]
  trailer: TrailerCheck
  malformed: number
  applied: ApplyResult | null
}

/**
 * Reconciles one registry file with our payments of the provider's day and
 * stores the run. Throws GatewayError 'bad_request' (reason 'unreadable') when
 * the file cannot be read at all; then nothing is stored.
 */
export async function reconcile(db: Db, o: ReconcileOptions): Promise<ReconcileOutcome> {
  const bar = o.progress ? progressBar(o.notes) : undefined
  const source = await openRegistry(o.file, (n) => bar?.update(n))
  bar?.start(source.size, 0)
  try {
    return await db.transaction(async (trx) => {
      const stage = await Stage.create(trx)
      for await (const batch of parsers[o.profile.format](source.bytes, o.profile.encoding)) {
        await stage.add(batch)
      }
      bar?.stop()
      await stage.finish()
      const { timeZone: zone, provider } = o.profile
      const window = await dayWindow(trx, o.day, zone, o.profile.cutoff)
      await match(trx, provider, zone, window)
      const sums = await totals(trx)
      const trailer = checkTrailer(stage.totals, trailerRequired[o.profile.format])
      const clean = sums.every((t) => t.category === 'matched' || t.count === 0n)
        && stage.totals.malformed === 0 && (trailer.status === 'ok' || trailer.status === 'absent')
      const sha256 = source.sha256()
      const resentOf = await noteResent(trx, o, sha256)
      const runId = await storeRun(trx, o, { sha256, bytes: source.readBytes(), stage: stage.totals,
        clean, sums, trailer, resentOf })
      const applied = o.apply
        ? await applyRun(trx, { id: runId, provider, day: o.day, operator: o.operator }, o.apply)
        : null
      if (applied) {
        await trx('reconciliation_runs').where({ id: runId })
          .update({ applied: true, applied_result: JSON.stringify(applied) })
      }
      const head: ReportHead = {
        provider, day: o.day, format: o.profile.format, timeZone: zone, cutoff: o.profile.cutoff,
        window: { start: window.startLocal, end: window.endLocal },
        file: { name: path.basename(o.file), sha256, bytes: source.readBytes() },
        records: stage.totals.records, malformed: stage.totals.malformed, trailer, clean,
        totals: sums, applied,
      }
      const writer = reportWriter(o.output, o.out, o.tableLimit)
      await writer.head(head)
      for await (const batch of items(trx, zone)) await writer.items(batch)
      await writer.end()
      await trx('reconciliation_runs').where({ id: runId }).update({ finished_at: trx.fn.now() })
      return { runId, clean, exitCode: clean ? 0 : 1, resentOf, totals: sums, trailer,
        malformed: stage.totals.malformed, applied }
    })
  } finally {
    bar?.stop()
  }
}

export function checkTrailer(s: StageTotals, required: boolean): TrailerCheck {
  const lines = s.records + s.malformed
  const base = { lines, linesSum: s.sum }
  if (!s.trailer) {
    return { status: required ? 'missing' : 'absent', count: null, sum: null, ...base }
  }
  const ok = s.trailer.count === BigInt(lines) && s.trailer.sum === s.sum
  return { status: ok ? 'ok' : 'mismatch', count: s.trailer.count, sum: s.trailer.sum, ...base }
}

async function noteResent(trx: Trx, o: ReconcileOptions, sha256: string): Promise<bigint | null> {
  const earlier = await trx('reconciliation_runs')
    .where({ provider: o.profile.provider, file_sha256: sha256 })
    .orderBy('id').first('id', trx.raw(`to_char(day, 'YYYY-MM-DD') as day`), 'started_at',
      'applied')
  if (!earlier) return null
  const day = earlier.day as string
  o.notes.write(`note: this file was reconciled before: run ${earlier.id} at `
    + `${(earlier.started_at as Date).toISOString()} for ${day}`
    + `${earlier.applied ? ', applied' : ''}`
    + `${day === o.day ? '' : ` (another day than ${o.day}: check the --date)`}\n`)
  return earlier.id as bigint
}

async function storeRun(trx: Trx, o: ReconcileOptions, r: { sha256: string; bytes: number;
  stage: StageTotals; clean: boolean; sums: CategoryTotal[]; trailer: TrailerCheck;
  resentOf: bigint | null }): Promise<bigint> {
  const summary = Object.fromEntries(r.sums.map((t) => [t.category, { count: t.count.toString(),
    ours: t.oursSum.toString(), theirs: t.theirsSum.toString() }]))
  const [row] = await trx('reconciliation_runs').insert({
    provider: o.profile.provider,
    day: o.day,
    format: o.profile.format,
    time_zone: o.profile.timeZone,
    file_name: path.basename(o.file),
    file_sha256: r.sha256,
    file_bytes: r.bytes,
    lines: r.stage.records,
    malformed: r.stage.malformed,
    clean: r.clean,
    operator: o.operator,
    summary: JSON.stringify(summary),
    trailer: JSON.stringify({ status: r.trailer.status, count: r.trailer.count?.toString() ?? null,
      sum: r.trailer.sum?.toString() ?? null, lines: r.trailer.lines,
      linesSum: r.trailer.linesSum.toString() }),
    resent_of: r.resentOf,
  }).returning('id')
  return row.id as bigint
}

function progressBar(stream: Writable): cliProgress.SingleBar {
  return new cliProgress.SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: 'reading {bar} {percentage}% | {value}/{total} bytes | {eta}s left',
    clearOnComplete: true,
    hideCursor: true,
    fps: 5,
  }, cliProgress.Presets.shades_classic)
}
