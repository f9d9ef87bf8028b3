import type { Writable } from 'node:stream'
import Table from 'cli-table3'
import { formatAmount, type Qepik } from '../money.ts'
import type { ApplyResult } from './apply.ts'
import type { CategoryTotal, Item } from './match.ts'

export type OutputFormat = 'table' | 'json' | 'csv'

/** The file-level check: the trailer's count and sum against what was read. */
export interface TrailerCheck {
  /** `absent`: the format makes the trailer optional and there is none. */
  status: 'ok' | 'mismatch' | 'missing' | 'absent'
  count: bigint | null
  sum: Qepik | null
  lines: number
  linesSum: Qepik
}

export interface ReportHead {
  provider: string
  day: string
  format: string
  timeZone: string
  cutoff: string
  window: { start: string; end: string }
  file: { name: string; sha256: string; bytes: number }
  records: number
  malformed: number
  trailer: TrailerCheck
  clean: boolean
  totals: CategoryTotal[]
  applied: ApplyResult | null
}

export interface ReportWriter {
  head(h: ReportHead): Promise<void>
  items(batch: Item[]): Promise<void>
  end(): Promise<void>
}

export function reportWriter(format: OutputFormat, out: Writable, tableLimit = 100)
  : ReportWriter {
  if (format === 'json') return jsonWriter(out)
  if (format === 'csv') return csvWriter(out)
  return tableWriter(out, tableLimit)
}

/** Writes with backpressure, so a report of a million lines is never held whole. */
export async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve))
}

const amount = (q: Qepik | null) => (q === null ? null : formatAmount(q))

function itemJson(i: Item) {
  return {
    category: i.category, txnId: i.externalId, line: i.line,
    paymentId: i.paymentId?.toString() ?? null,
    theirsAmount: amount(i.theirsAmount), oursAmount: amount(i.oursAmount),
    theirsAccount: i.theirsAccount, oursPayer: i.oursPayer,
    theirsTime: i.theirsTime, oursTime: i.oursTime, oursState: i.oursState, note: i.note,
  }
}

function headJson(h: ReportHead) {
  return {
    provider: h.provider, day: h.day, format: h.format, timeZone: h.timeZone,
    cutoff: h.cutoff, window: h.window, file: h.file, records: h.records,
    malformed: h.malformed,
    trailer: { status: h.trailer.status, count: h.trailer.count?.toString() ?? null,
      sum: amount(h.trailer.sum), lines: h.trailer.lines, linesSum: amount(h.trailer.linesSum) },
    clean: h.clean,
    summary: h.totals.map((t) => ({ category: t.category, count: t.count.toString(),
      ours: formatAmount(t.oursSum), theirs: formatAmount(t.theirsSum) })),
    applied: h.applied,
  }
}

function jsonWriter(out: Writable): ReportWriter {
  let first = true
  return {
    async head(h) {
      const text = JSON.stringify(headJson(h))
      await write(out, `${text.slice(0, -1)},"items":[`)
    },
    async items(batch) {
      let text = ''
      for (const i of batch) {
        text += `${first ? '' : ','}\n${JSON.stringify(itemJson(i))}`
        first = false
      }
      await write(out, text)
    },
    async end() {
      await write(out, `${first ? '' : '\n'}]}\n`)
    },
  }
}

export const csvHeader = ['category', 'txn_id', 'line', 'payment_id', 'theirs_amount',
  'ours_amount', 'theirs_account', 'ours_payer', 'theirs_time', 'ours_time', 'ours_state', 'note']

export function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function csvWriter(out: Writable): ReportWriter {
  const row = (cells: Array<string | number | null>) => `${cells.map(csvCell).join(',')}\n`
  return {
    async head(h) {
      let text = row(csvHeader)
      if (h.trailer.status === 'missing' || h.trailer.status === 'mismatch') {
        text += row([`trailer_${h.trailer.status}`, null, null, null, amount(h.trailer.sum),
          amount(h.trailer.linesSum), null, null, null, null, null, trailerNote(h.trailer)])
      }
      await write(out, text)
    },
    async items(batch) {
      await write(out, batch.map((i) => {
        const j = itemJson(i)
        return row([j.category, j.txnId, j.line, j.paymentId, j.theirsAmount, j.oursAmount,
          j.theirsAccount, j.oursPayer, j.theirsTime, j.oursTime, j.oursState, j.note])
      }).join(''))
    },
    async end() {},
  }
}

function trailerNote(t: TrailerCheck): string {
  const read = `read ${t.lines} line(s) summing ${formatAmount(t.linesSum)}`
  if (t.status === 'missing') return `no Total: trailer; ${read}`
  if (t.status === 'absent') return `no trailer in this format; ${read}`
  return `trailer says ${t.count} line(s) summing ${amount(t.sum)}; ${read}`
}

const plain = { head: [] as string[], border: [] as string[] }

function tableWriter(out: Writable, limit: number): ReportWriter {
  const table = new Table({ style: plain, head: ['category', 'txn id', 'line', 'theirs',
    'ours', 'their account', 'our payer', 'their time', 'our time', 'note'] })
  let shown = 0
  let more = 0
  let clean = true
  return {
    async head(h) {
      clean = h.clean
      const lines = [
        `Reconciliation of ${h.provider} for ${h.day} (${h.format}, ${h.timeZone}: `
          + `${h.window.start} to ${h.window.end})`,
        `File ${h.file.name}: ${h.file.bytes} bytes, sha256 ${h.file.sha256}`,
        `Read ${h.records} payment line(s), ${h.malformed} malformed`,
        `Trailer: ${h.trailer.status}: ${trailerNote(h.trailer)}`,
      ]
      const summary = new Table({ style: plain, head: ['category', 'count', 'ours', 'theirs'],
        colAligns: ['left', 'right', 'right', 'right'] })
      for (const t of h.totals) {
        summary.push([t.category, t.count.toString(), formatAmount(t.oursSum),
          formatAmount(t.theirsSum)])
      }
      if (h.malformed) summary.push(['malformed', String(h.malformed), '', ''])
      let text = `${lines.join('\n')}\n${summary.toString()}\n`
      if (h.applied) {
        const a = h.applied
        text += `Applied: ${a.credited} credited, ${a.alreadyCredited} already credited, `
          + `${a.refused} refused, ${a.markedForReview} marked for review\n`
      }
      await write(out, text)
    },
    async items(batch) {
      for (const i of batch) {
        if (shown >= limit) {
          more++
          continue
        }
        shown++
        table.push([i.category, i.externalId ?? '', i.line ?? '', amount(i.theirsAmount) ?? '',
          amount(i.oursAmount) ?? '', i.theirsAccount ?? '', i.oursPayer ?? '',
          i.theirsTime ?? '', i.oursTime ?? '', i.note ?? ''])
      }
    },
    async end() {
      let text = ''
      if (shown) text += `Discrepancies:\n${table.toString()}\n`
      if (more) text += `… and ${more} more (use --json or --csv for all of them)\n`
      text += clean ? 'Result: clean\n' : 'Result: discrepancies found\n'
      await write(out, text)
    },
  }
}
