import type pg from 'pg'
import type { Trx } from '../db.ts'
import type { Qepik } from '../money.ts'
import type { RegistryEvent } from './fields.ts'

/** What was read from the file, beside the staged lines themselves. */
export interface StageTotals {
  records: number
  sum: Qepik
  malformed: number
  trailer: { line: number; count: bigint; sum: Qepik } | undefined
}

const batchSize = 5000

/**
 * Loads a registry into per-transaction temporary tables in batches, so a
 * file of any length is held in Postgres rather than in memory.
 */
export class Stage {
  readonly totals: StageTotals = { records: 0, sum: 0n, malformed: 0, trailer: undefined }

  private lines = emptyColumns()
  private bad: { line: number[]; reason: string[]; text: string[] } =
    { line: [], reason: [], text: [] }

  private constructor(private readonly conn: pg.Client) {}

  static async create(trx: Trx): Promise<Stage> {
    await trx.raw(`create temp table recon_lines (
        line int not null, external_id text not null, account text not null,
        amount bigint not null, local_time timestamp not null) on commit drop`)
    await trx.raw(`create temp table recon_malformed (
        line int not null, reason text not null, text text not null) on commit drop`)
    // The transaction's own connection: temp tables live there, and pg takes arrays as-is.
    const conn = await (trx.client as { acquireConnection(): Promise<pg.Client> })
      .acquireConnection()
    return new Stage(conn)
  }

  async add(events: RegistryEvent[]): Promise<void> {
    for (const e of events) {
      if (e.kind === 'record') {
        const r = e.record
        this.lines.line.push(r.line)
        this.lines.externalId.push(r.externalId)
        this.lines.account.push(r.account)
        this.lines.amount.push(r.amount.toString())
        this.lines.localTime.push(r.localTime)
        this.totals.records++
        this.totals.sum += r.amount
      } else if (e.kind === 'malformed') {
        this.bad.line.push(e.line)
        this.bad.reason.push(e.reason)
        this.bad.text.push(e.text)
        this.totals.malformed++
      } else {
        this.totals.trailer = { line: e.line, count: e.count, sum: e.sum }
      }
    }
    if (this.lines.line.length >= batchSize) await this.flushLines()
    if (this.bad.line.length >= batchSize) await this.flushMalformed()
  }

  /** Writes what is buffered and indexes the lines for matching. */
  async finish(): Promise<void> {
    await this.flushLines()
    await this.flushMalformed()
    await this.conn.query('create index on recon_lines (external_id, line)')
    await this.conn.query('analyze recon_lines')
  }

  private async flushLines(): Promise<void> {
    const c = this.lines
    if (!c.line.length) return
    this.lines = emptyColumns()
    await this.conn.query(`insert into recon_lines
      select * from unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::timestamp[])`,
    [c.line, c.externalId, c.account, c.amount, c.localTime])
  }

  private async flushMalformed(): Promise<void> {
    const b = this.bad
    if (!b.line.length) return
    this.bad = { line: [], reason: [], text: [] }
    await this.conn.query(`insert into recon_malformed
      select * from unnest($1::int[], $2::text[], $3::text[])`, [b.line, b.reason, b.text])
  }
}

function emptyColumns() {
  return {
    line: [] as number[],
    externalId: [] as string[],
    account: [] as string[],
    amount: [] as string[],
    localTime: [] as string[],
  }
}
