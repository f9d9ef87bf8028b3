import { randomBytes } from 'node:crypto'
import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { accountId, post } from '../ledger/index.ts'
import { formatAmount } from '../money.ts'
import { newPaymentCode } from '../payments/code.ts'

/** A payment code sold without a cabinet; its money sits in the vouchers account. */
export interface Voucher {
  code: string
  amount: bigint
  provider: string
  batch: string | null
  state: 'issued' | 'redeemed'
  issuedAt: Date
}

export interface IssueRequest {
  /** The provider (terminal network, shop) whose clearing account pays for the codes. */
  provider: string
  amount: bigint
  count: number
  /** Names the batch; issuing a batch again returns its codes instead of new ones. */
  batch: string
}

export interface IssuedBatch {
  batch: string
  vouchers: Voucher[]
  transactionId: bigint
  /** True when the batch had been issued before with the same content. */
  replayed: boolean
}

export const maxBatchCount = 100_000
const batchPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** A batch name from the provider and the time, for runs that do not name one. */
export function defaultBatchName(provider: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return `${provider}-${stamp}-${randomBytes(2).toString('hex')}`
}

function toVoucher(r: Record<string, unknown>): Voucher {
  return {
    code: r.code as string, amount: r.amount as bigint, provider: r.provider as string,
    batch: (r.batch as string | null) ?? null, state: r.state as Voucher['state'],
    issuedAt: r.issued_at as Date,
  }
}

function checkIssue(req: IssueRequest): void {
  if (!Number.isSafeInteger(req.count) || req.count < 1 || req.count > maxBatchCount) {
    throw new GatewayError('bad_request', `count must be 1 to ${maxBatchCount}`)
  }
  if (!batchPattern.test(req.batch)) {
    throw new GatewayError('bad_request',
      'batch must be 1 to 64 letters, digits, dots, dashes or underscores')
  }
  if (req.amount <= 0n) throw new GatewayError('amount_too_small', 'amount must be above zero')
}

// Fresh codes that are neither vouchers nor payments yet.
async function freshCodes(trx: Trx, n: number): Promise<string[]> {
  const codes = new Set<string>()
  while (codes.size < n) codes.add(newPaymentCode())
  const list = [...codes]
  const taken = new Set<string>([
    ...await trx('payments').whereIn('payment_code', list).pluck('payment_code'),
    ...await trx('vouchers').whereIn('code', list).pluck('code'),
  ])
  return list.filter((c) => !taken.has(c))
}

/**
 * Issues a batch of codes of one amount: one ledger transaction moves the
 * whole sum from the provider's clearing account into the vouchers account,
 * and every code gets its row. All or nothing; a batch name issued before
 * with the same content returns its codes, with other content a conflict.
 */
export async function issueVouchers(db: Db, req: IssueRequest): Promise<IssuedBatch> {
  checkIssue(req)
  return db.transaction(async (trx) => {
    const [clearing, vouchers] = await Promise.all([
      accountId(trx, { kind: 'clearing', provider: req.provider }),
      accountId(trx, { kind: 'vouchers' }),
    ])
    const total = req.amount * BigInt(req.count)
    const posted = await post(trx, {
      key: `voucher-batch:${req.batch}`,
      kind: 'code_issue',
      legs: [{ account: clearing, amount: -total }, { account: vouchers, amount: total }],
      metadata: { batch: req.batch, provider: req.provider, count: req.count,
        amount: formatAmount(req.amount) },
    })
    if (!posted.replayed) {
      let missing = req.count
      while (missing > 0) {
        const codes = await freshCodes(trx, Math.min(missing, 5000))
        const rows = codes.map((code) => ({ code, amount: req.amount, provider: req.provider,
          batch: req.batch, issued_transaction_id: posted.transactionId }))
        for (let i = 0; i < rows.length; i += 1000) {
          const inserted = await trx('vouchers').insert(rows.slice(i, i + 1000))
            .onConflict().ignore().returning('id')
          missing -= inserted.length
        }
      }
    }
    const rows = await trx('vouchers').where({ batch: req.batch }).orderBy('id')
    return { batch: req.batch, vouchers: rows.map(toVoucher),
      transactionId: posted.transactionId, replayed: posted.replayed }
  })
}

/** A terminal payment that bought a voucher, as the credits worker posted it. */
export interface VoucherSale {
  paymentId: bigint
  code: string
  amount: bigint
  provider: string
  /** The ledger transaction that moved the money clearing → vouchers. */
  transactionId: bigint
}

/**
 * Records vouchers bought at a terminal: call it in the transaction that posts
 * their payments (clearing → vouchers, the payment's code as the voucher's
 * code). Recording a sale twice is harmless.
 */
export async function recordVoucherSales(db: Db | Trx, sales: VoucherSale[]): Promise<void> {
  if (sales.length === 0) return
  await db('vouchers').insert(sales.map((s) => ({
    code: s.code, amount: s.amount, provider: s.provider, payment_id: s.paymentId,
    issued_transaction_id: s.transactionId,
  }))).onConflict().ignore()
}

/**
 * Records the voucher of a posted voucher payment with this code, if there is
 * one and it is not recorded yet: covers payments posted by a worker that did
 * not record their sales.
 */
export async function recordVoucherPayment(db: Db | Trx, code: string): Promise<boolean> {
  const p = await db('payments')
    .where({ payment_code: code, target: 'voucher', state: 'posted' })
    .first('id', 'amount', 'provider', 'ledger_transaction_id')
  if (!p) return false
  await recordVoucherSales(db, [{ paymentId: p.id, code, amount: p.amount,
    provider: p.provider, transactionId: p.ledger_transaction_id }])
  return true
}

export async function findVoucher(db: Db | Trx, code: string): Promise<Voucher | null> {
  const row = await db('vouchers').where({ code }).first()
  return row ? toVoucher(row) : null
}

/** Unredeemed vouchers' count and sum: equals the vouchers account's balance. */
export async function outstandingVouchers(db: Db | Trx)
  : Promise<{ count: number; total: bigint }> {
  const row = await db('vouchers').where({ state: 'issued' })
    .first(db.raw('count(*)::int as count'), db.raw('coalesce(sum(amount), 0)::bigint as total'))
  return { count: row.count as number, total: row.total as bigint }
}
