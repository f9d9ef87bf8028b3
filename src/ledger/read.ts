import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import type { TxKind } from './types.ts'

/** An account's balance: the kept column when tracked, else the sum of entries. */
export async function balanceOf(db: Db | Trx, accountId: bigint): Promise<bigint> {
  const acc = await db('accounts').where({ id: accountId }).first('tracked', 'balance')
  if (!acc) throw new GatewayError('not_found', `account ${accountId} does not exist`)
  if (acc.tracked) return acc.balance as bigint
  const row = await db('ledger_entries').where({ account_id: accountId })
    .first(db.raw('coalesce(sum(amount), 0)::bigint as total'))
  return row.total as bigint
}

export async function cabinetAccount(db: Db | Trx, cabinetId: bigint): Promise<bigint> {
  const acc = await db('accounts').where({ cabinet_id: cabinetId }).first('id')
  if (!acc) throw new GatewayError('not_found', `cabinet ${cabinetId} has no account`)
  return acc.id as bigint
}

export async function cabinetBalance(db: Db | Trx, cabinetId: bigint): Promise<bigint> {
  const acc = await db('accounts').where({ cabinet_id: cabinetId }).first('balance')
  if (!acc) throw new GatewayError('not_found', `cabinet ${cabinetId} has no account`)
  return acc.balance as bigint
}

export interface HistoryRow {
  transactionId: bigint
  kind: TxKind
  /** Always positive: the direction says whether it came in or went out. */
  amount: bigint
  createdAt: Date
  metadata: Record<string, unknown>
}

export interface HistoryPage {
  rows: HistoryRow[]
  /** Sum over every page, not just this one. */
  total: bigint
  count: number
  page: number
  perPage: number
  pages: number
}

/** A cabinet's credits or debits, newest first, with totals over all of them. */
export async function cabinetHistory(
  db: Db | Trx,
  cabinetId: bigint,
  opts: { direction: 'credits' | 'debits'; page?: number; perPage?: number },
): Promise<HistoryPage> {
  const perPage = Math.min(Math.max(Math.trunc(opts.perPage ?? 20), 1), 200)
  const page = Math.max(Math.trunc(opts.page ?? 1), 1)
  const acc = await db('accounts').where({ cabinet_id: cabinetId })
    .first('id', 'credits_total', 'credits_count', 'debits_total', 'debits_count')
  if (!acc) throw new GatewayError('not_found', `cabinet ${cabinetId} has no account`)
  const credits = opts.direction === 'credits'
  const sign = credits ? '>' : '<'
  const base = () => db('ledger_entries as e')
    .where('e.account_id', String(acc.id)).andWhere('e.amount', sign, 0)

  // Totals are kept on the account row by the ledger trigger.
  const summary = {
    count: Number(credits ? acc.credits_count : acc.debits_count),
    total: (credits ? acc.credits_total : acc.debits_total) as bigint,
  }
  const rows = await base()
    .join('ledger_transactions as t', 't.id', 'e.transaction_id')
    .orderBy('e.id', 'desc')
    .limit(perPage).offset((page - 1) * perPage)
    .select('t.id as transaction_id', 't.kind', 'e.amount', 't.created_at', 't.metadata')

  const count = summary.count
  return {
    rows: rows.map((r) => ({
      transactionId: r.transaction_id as bigint,
      kind: r.kind as TxKind,
      amount: (r.amount as bigint) < 0n ? -(r.amount as bigint) : (r.amount as bigint),
      createdAt: r.created_at as Date,
      metadata: r.metadata as Record<string, unknown>,
    })),
    total: summary.total,
    count,
    page,
    perPage,
    pages: Math.max(1, Math.ceil(count / perPage)),
  }
}
