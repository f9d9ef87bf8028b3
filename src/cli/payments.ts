import type { Command } from 'commander'
import Table from 'cli-table3'
import type { Db } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { formatAmount } from '../money.ts'
import { maskedName, parseCabinetNumber } from '../payers/index.ts'
import type { ProvidersFile } from '../providers.ts'
import { dayWindow } from '../reconcile/match.ts'
import { parseDay, registryProfile } from '../reconcile/profile.ts'
import { csvCell } from '../reconcile/report.ts'
import { outputFormat, positiveInt, withOperatorDb } from './operator.ts'

const states = ['accepted', 'posted', 'reversed']

interface ListFlags {
  provider?: string
  date?: string
  state?: string
  cabinet?: string
  limit: string
  json?: boolean
  csv?: boolean
}

const columns = ['id', 'provider', 'txn_id', 'source', 'state', 'amount', 'payer_ref',
  'cabinet', 'provider_time', 'received_at', 'payment_code'] as const
type Listed = Record<(typeof columns)[number], string>

/** Payments matching the operator's filters, newest first. */
export async function listPayments(db: Db, providers: ProvidersFile, f: ListFlags)
  : Promise<Listed[]> {
  const q = db('payments as p').leftJoin('cabinets as c', 'c.id', 'p.cabinet_id')
    .select('p.*', 'c.number as cabinet_number').orderBy('p.id', 'desc')
    .limit(positiveInt(f.limit, '--limit'))
  if (f.provider) q.where('p.provider', f.provider)
  if (f.state) {
    if (!states.includes(f.state)) {
      throw new GatewayError('bad_request', `--state must be one of ${states.join(', ')}`)
    }
    q.where('p.state', f.state)
  }
  if (f.cabinet) q.where('c.number', parseCabinetNumber(f.cabinet).toString())
  if (f.date) {
    if (!f.provider) throw new GatewayError('bad_request', '--date needs --provider (its zone)')
    const profile = registryProfile(providers, f.provider)
    const w = await dayWindow(db, parseDay(f.date), profile.timeZone, profile.cutoff)
    q.whereRaw(`coalesce(p.provider_time, p.received_at) >= ?
      and coalesce(p.provider_time, p.received_at) < ?`, [w.start, w.end])
  }
  return (await q).map((r: Record<string, unknown>) => ({
    id: String(r.id), provider: r.provider as string, txn_id: r.external_id as string,
    source: r.source as string, state: r.state as string,
    amount: formatAmount(r.amount as bigint), payer_ref: r.payer_ref as string,
    cabinet: r.cabinet_number === null ? '' : String(r.cabinet_number),
    provider_time: (r.provider_time as Date | null)?.toISOString() ?? '',
    received_at: (r.received_at as Date).toISOString(), payment_code: r.payment_code as string,
  }))
}

/** Finds payments by our id or by the provider's transaction id. */
export async function findPayments(db: Db, ref: string, provider?: string) {
  const q = db('payments as p').leftJoin('cabinets as c', 'c.id', 'p.cabinet_id')
    .select('p.*', 'c.number as cabinet_number', 'c.surname', 'c.name', 'c.patronymic')
    .where((w) => {
      w.where('p.external_id', ref)
      if (/^[1-9]\d{0,17}$/.test(ref)) w.orWhere('p.id', ref)
    }).orderBy('p.id')
  if (provider) q.where('p.provider', provider)
  const rows = await q
  return await Promise.all(rows.map(async (r: Record<string, unknown>) => ({
    id: String(r.id), provider: r.provider, txnId: r.external_id, source: r.source,
    target: r.target, state: r.state, amount: formatAmount(r.amount as bigint),
    payerRef: r.payer_ref,
    cabinet: r.cabinet_number === null ? null : String(r.cabinet_number),
    holder: r.surname ? maskedName(r as never) : null,
    providerTimeRaw: r.provider_time_raw,
    providerTime: (r.provider_time as Date | null)?.toISOString() ?? null,
    receivedAt: (r.received_at as Date).toISOString(),
    paymentCode: r.payment_code,
    ledgerTransaction: r.ledger_transaction_id === null ? null : String(r.ledger_transaction_id),
    postedAt: (r.posted_at as Date | null)?.toISOString() ?? null,
    metadata: r.metadata,
    reviews: (await db('reconciliation_reviews')
      .where({ provider: r.provider, external_id: r.external_id })
      .orWhere({ payment_id: r.id }).orderBy('id')
      .select('category', db.raw(`to_char(day, 'YYYY-MM-DD') as day`), 'resolved_at')
    ).map((v) => ({ category: v.category, day: v.day, open: v.resolved_at === null })),
  })))
}

export function registerPayments(program: Command): void {
  program
    .command('payments:list')
    .description('list payments, newest first')
    .option('--provider <id>', 'only this provider')
    .option('--date <day>', "only this day in the provider's zone (needs --provider)")
    .option('--state <state>', 'accepted, posted or reversed')
    .option('--cabinet <number>', 'only payments to this cabinet number')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (f: ListFlags) => {
      const format = outputFormat(f)
      const rows = await withOperatorDb((db, providers) => listPayments(db, providers, f))
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
      } else if (format === 'csv') {
        process.stdout.write([columns.join(','),
          ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n')
      } else {
        const table = new Table({ head: [...columns], style: { head: [], border: [] } })
        for (const r of rows) table.push(columns.map((c) => r[c]))
        process.stdout.write(`${table.toString()}\n${rows.length} payment(s)\n`)
      }
    })

  program
    .command('payments:show')
    .description("show a payment by our id or by the provider's transaction id")
    .argument('<ref>', 'payment id or transaction id')
    .option('--provider <id>', 'only this provider (a transaction id is unique per provider)')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { provider?: string; json?: boolean }) => {
      const found = await withOperatorDb((db) => findPayments(db, ref, opts.provider))
      if (!found.length) throw new GatewayError('not_found', `no payment has id or txn ${ref}`)
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`)
        return
      }
      for (const p of found) {
        const table = new Table({ style: { head: [], border: [] } })
        for (const [k, v] of Object.entries(p)) {
          const shown = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '')
          table.push({ [k]: shown })
        }
        process.stdout.write(`${table.toString()}\n`)
      }
    })
}
