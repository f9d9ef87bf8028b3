import type { Readable } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import type { Db } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { personFields, personRow, toPerson, type Person } from './person.ts'

export interface ImportReport {
  imported: number
  updated: number
  unchanged: number
  rejected: Array<{ line: number; reason: string }>
  /** Set when the file stopped being readable CSV; rows before it were kept. */
  stopped?: { line: number; reason: string }
}

export interface ImportOptions {
  batchSize?: number
  /** Called after each batch with the bytes read so far. */
  onProgress?: (bytes: number) => void
}

const columns = personFields.join(', ')
const changed = personFields.filter((f) => f !== 'document')

// One statement per batch: the values travel as one array per column. A row
// whose data did not change is left alone and not reported as updated.
const upsertSql = `
  insert into people (${columns})
  select ${personFields.map((f) => f === 'birth_date' ? 'birth_date::date' : f).join(', ')}
    from unnest(${personFields.map(() => '?::text[]').join(', ')}) as v(${columns})
  on conflict (document) do update
    set ${changed.map((f) => `${f} = excluded.${f}`).join(', ')}, imported_at = now()
    where (${changed.map((f) => `people.${f}`).join(', ')})
      is distinct from (${changed.map((f) => `excluded.${f}`).join(', ')})
  returning document, (xmax = 0) as inserted`

// A FIN is a person's for life; the same FIN under a new document is a renewed
// document, so the row of the old document goes. `fin = any` keeps it on the
// index: a join against the batch would scan the whole table once per batch.
const renewalSql = `
  delete from people p
   where p.fin = any(?::text[])
     and not exists (select 1 from unnest(?::text[], ?::text[]) as v(document, fin)
                      where v.fin = p.fin and v.document = p.document)
  returning p.fin`

interface Pending { person: Person; line: number }

/**
 * Loads registry people from CSV (comma separated, header naming at least
 * the person fields) into the `people` table, upserting by document. Each bad
 * row is reported with its line and skipped; good rows are kept. A header
 * without the needed columns throws 'bad_request'; a CSV syntax error stops
 * the import there and is reported in `stopped`.
 */
export async function importPeople(
  db: Db,
  input: Readable,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, updated: 0, unchanged: 0, rejected: [] }
  const batchSize = opts.batchSize ?? 500
  const seenDocument = new Map<string, number>()
  const seenFin = new Map<string, number>()
  let batch: Pending[] = []
  const header = { seen: false }

  const flush = async (bytes: number) => {
    if (batch.length > 0) await upsertBatch(db, batch, report)
    batch = []
    opts.onProgress?.(bytes)
  }

  // The first CSV syntax error ends the import: after it the parser may have
  // joined or dropped lines, so nothing read past it can be trusted.
  let syntaxError: { rawLine: number; message: string } | undefined
  const parser = input.pipe(parse({
    bom: true, columns: (names: string[]) => checkHeader(names, header), info: true,
    relax_column_count: true, skip_empty_lines: true, trim: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      syntaxError ??= { rawLine: Number(err?.lines ?? 0), message: err?.message ?? 'bad CSV' }
    },
  }))
  input.once('error', (err) => parser.destroy(err))
  // csv-parse counts a CRLF inside a quoted field as two lines; this undoes it.
  let extraLines = 0
  try {
    for await (const { record, info } of parser as AsyncIterable<Parsed>) {
      if (syntaxError && info.lines >= syntaxError.rawLine) break
      extraLines += countCrlf(record)
      // info.lines is where a record ends; a quoted field may span lines.
      const line = info.lines - extraLines - newlines(record)
      const reason = rowProblem(record, info, seenDocument, seenFin, line)
      if (typeof reason === 'string') {
        report.rejected.push({ line, reason })
        continue
      }
      batch.push({ person: reason, line })
      if (batch.length >= batchSize) await flush(info.bytes)
    }
  } catch (err) {
    throw unreadable(err)
  }
  if (!header.seen) {
    throw unreadable(new Error(syntaxError?.message ?? 'the file is empty: no header line'))
  }
  await flush(Number.MAX_SAFE_INTEGER)
  if (syntaxError) {
    report.stopped = { line: syntaxError.rawLine - extraLines, reason: syntaxError.message }
  }
  return report
}

interface Parsed {
  record: Record<string, string>
  info: { lines: number; bytes: number; columns: Array<{ name: string }>; error?: unknown }
}

function newlines(record: Record<string, string>): number {
  return Object.values(record).join('').match(/\r\n|\r|\n/g)?.length ?? 0
}

function countCrlf(record: Record<string, string>): number {
  return Object.values(record).join('').match(/\r\n/g)?.length ?? 0
}

// Stream and file-system errors keep their own code (ENOENT, EACCES, EISDIR).
function unreadable(err: unknown): unknown {
  if (err instanceof GatewayError) return err
  if (!(err instanceof CsvError) && (err as { code?: unknown }).code !== undefined) return err
  return new GatewayError('bad_request', `not a readable CSV file: ${(err as Error).message}`,
    { reason: 'unreadable' })
}

function checkHeader(header: string[], state: { seen: boolean }): string[] {
  state.seen = true
  const names = header.map((h) => h.trim().toLowerCase())
  const missing = personFields.filter((f) => !names.includes(f))
  if (missing.length > 0) {
    throw new GatewayError('bad_request', `the header lacks column(s) ${missing.join(', ')}`,
      { reason: 'bad_header' })
  }
  const twice = names.find((n, i) => n !== '' && names.indexOf(n) !== i)
  if (twice) {
    throw new GatewayError('bad_request', `the header names column ${twice} twice`,
      { reason: 'bad_header' })
  }
  return names
}

// The person, or why the row is refused.
function rowProblem(
  record: Record<string, string>,
  info: Parsed['info'],
  seenDocument: Map<string, number>,
  seenFin: Map<string, number>,
  line: number,
): Person | string {
  if (info.error) {
    return `has ${Object.keys(record).length === info.columns.length ? 'more' : 'fewer'}`
      + ` fields than the header's ${info.columns.length}`
  }
  let person: Person
  try {
    person = toPerson(record)
  } catch (err) {
    if (err instanceof GatewayError) return err.message
    throw err
  }
  const docLine = seenDocument.get(person.document)
  if (docLine !== undefined) return `document ${person.document} already on line ${docLine}`
  const finLine = seenFin.get(person.fin)
  if (finLine !== undefined) return `the same FIN is already on line ${finLine}`
  seenDocument.set(person.document, line)
  seenFin.set(person.fin, line)
  return person
}

async function upsertBatch(db: Db, batch: Pending[], report: ImportReport): Promise<void> {
  const rows = batch.map((p) => personRow(p.person))
  await db.transaction(async (trx) => {
    const fins = rows.map((r) => r.fin)
    const renewed = await trx.raw(renewalSql, [fins, rows.map((r) => r.document), fins])
    const renewedFins = new Set((renewed.rows as Array<{ fin: string }>).map((r) => r.fin))
    const result = await trx.raw(upsertSql, personFields.map((f) => rows.map((r) => r[f])))
    const written = result.rows as Array<{ document: string; inserted: boolean }>
    const finOf = new Map(rows.map((r) => [r.document, r.fin]))
    for (const w of written) {
      if (w.inserted && !renewedFins.has(finOf.get(w.document)!)) report.imported += 1
      else report.updated += 1
    }
    report.unchanged += rows.length - written.length
  })
}
