import { parse } from 'csv-parse'
import * as f from './fields.ts'
import type { RegistryEvent } from './fields.ts'
import { decodedText } from './source.ts'

export const csvColumns = ['txn_id', 'date', 'time', 'account', 'amount'] as const

/**
 * CSV registry (RFC 4180, comma-separated): a header naming the columns
 * `txn_id,date,time,account,amount` in any order (other columns ignored),
 * dates `YYYY-MM-DD`, times `HH:MM:SS`, amounts like `10.45`; an optional
 * last row `Total:,<count>,<sum>`.
 */
export async function* parseCsv(
  bytes: AsyncIterable<Buffer>,
  encoding: string,
): AsyncGenerator<RegistryEvent[]> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true,
    info: true })
  const feeding = feed(decodedText(bytes, encoding), parser)
  let columns: Map<string, number> | undefined
  let trailerSeen = false
  let out: RegistryEvent[] = []
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRow>) {
      const line = info.lines
      if (!columns) {
        columns = header(record)
        continue
      }
      const event = row(line, record, columns, trailerSeen)
      if (event.kind === 'trailer') trailerSeen = true
      out.push(event)
      if (out.length >= 1000) {
        yield out
        out = []
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('CSV_')) {
      throw f.unreadable(`CSV: ${(err as Error).message}`)
    }
    throw err
  } finally {
    if (!parser.writableEnded) parser.destroy()
    await feeding
  }
  if (!columns) throw f.unreadable('CSV has no header row')
  if (out.length) yield out
}

interface CsvRow {
  record: string[]
  info: { lines: number }
}

async function feed(text: AsyncIterable<string>, parser: ReturnType<typeof parse>) {
  try {
    for await (const chunk of text) {
      if (parser.destroyed) return
      if (!parser.write(chunk)) await drainedOrClosed(parser)
    }
    parser.end()
  } catch (err) {
    parser.destroy(err as Error)
  }
}

function drainedOrClosed(parser: ReturnType<typeof parse>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      parser.off('drain', done)
      parser.off('close', done)
      resolve()
    }
    parser.on('drain', done)
    parser.on('close', done)
  })
}

function header(record: string[]): Map<string, number> {
  const columns = new Map(record.map((name, i) => [name.trim().toLowerCase(), i]))
  const missing = csvColumns.filter((c) => !columns.has(c))
  if (missing.length) {
    throw f.unreadable(`CSV header lacks column(s) ${missing.join(', ')}`)
  }
  return columns
}

function row(line: number, cells: string[], columns: Map<string, number>,
  trailerSeen: boolean): RegistryEvent {
  const cell = (name: string) => cells[columns.get(name) ?? -1]
  try {
    if (trailerSeen) throw new f.LineFault('row after the Total: trailer')
    if (/^total:?$/i.test((cells[0] ?? '').trim())) {
      return { kind: 'trailer', line, count: f.count(cells[1]), sum: f.total(cells[2]) }
    }
    if (cells.length !== columns.size) {
      throw new f.LineFault(`expected ${columns.size} fields, found ${cells.length}`)
    }
    return {
      kind: 'record',
      record: {
        line,
        externalId: f.txnId(cell('txn_id')),
        localTime: f.localTime(cell('date'), cell('time'), 'iso'),
        account: f.account(cell('account')),
        amount: f.amount(cell('amount')),
      },
    }
  } catch (err) {
    return { kind: 'malformed', line, reason: f.faultReason(err),
      text: f.show(cells.join(','), 120) }
  }
}
