import type { Db } from '../db.ts'
import { accountId, cabinetAccount, post } from '../ledger/index.ts'
import { codeInputProblem, normaliseCode } from './payment-code-input.ts'
import { recordVoucherPayment } from './vouchers.ts'

/**
 * Why a code was not added to the cabinet. `redeemed_here`: this cabinet
 * redeemed it before; `redeemed`: another one did; `direct_credit`: the code
 * belongs to a payment already credited straight to a cabinet; `pending`: a
 * voucher bought a moment ago that the worker has not posted yet.
 */
export type RedeemRefusal =
  | 'format' | 'check_digit' | 'unknown' | 'redeemed' | 'redeemed_here'
  | 'direct_credit' | 'pending' | 'reversed' | 'blocked'

export type RedeemOutcome =
  | { ok: true; code: string; amount: bigint; transactionId: bigint; redeemedAt: Date }
  | { ok: false; reason: RedeemRefusal; code: string }

/**
 * Adds a voucher's money to a cabinet. The voucher's row flips from issued to
 * redeemed in one conditional UPDATE, and the money moves vouchers → cabinet
 * in the same transaction, so of two cabinets racing for a code exactly one
 * wins and the other is told it is already used.
 */
export async function redeemCode(db: Db, cabinetId: bigint, input: string)
  : Promise<RedeemOutcome> {
  const code = normaliseCode(input)
  const problem = codeInputProblem(code)
  if (problem) return { ok: false, reason: problem, code }

  const cabinet = await db('cabinets').where({ id: cabinetId }).first('number', 'blocked')
  if (!cabinet || cabinet.blocked) return { ok: false, reason: 'blocked', code }

  let won = await claim(db, cabinetId, cabinet.number as bigint, code)
  if (!won && await recordVoucherPayment(db, code)) {
    won = await claim(db, cabinetId, cabinet.number as bigint, code)
  }
  return won ?? { ok: false, reason: await whyNot(db, cabinetId, code), code }
}

async function claim(db: Db, cabinetId: bigint, number: bigint, code: string)
  : Promise<Extract<RedeemOutcome, { ok: true }> | null> {
  return db.transaction(async (trx) => {
    const [voucher] = await trx('vouchers')
      .where({ code, state: 'issued' })
      .update({ state: 'redeemed', redeemed_by: cabinetId, redeemed_at: trx.fn.now() })
      .returning(['id', 'amount', 'provider', 'redeemed_at'])
    if (!voucher) return null
    const [from, to] = await Promise.all([accountId(trx, { kind: 'vouchers' }),
      cabinetAccount(trx, cabinetId)])
    const posted = await post(trx, {
      key: `redeem:${code}`,
      kind: 'code_redeem',
      legs: [{ account: from, amount: -voucher.amount }, { account: to, amount: voucher.amount }],
      metadata: { paymentCode: code, provider: voucher.provider, cabinet: number.toString() },
    })
    await trx('vouchers').where({ id: voucher.id })
      .update({ redeemed_transaction_id: posted.transactionId })
    return { ok: true as const, code, amount: voucher.amount as bigint,
      transactionId: posted.transactionId, redeemedAt: voucher.redeemed_at as Date }
  })
}

async function whyNot(db: Db, cabinetId: bigint, code: string): Promise<RedeemRefusal> {
  const voucher = await db('vouchers').where({ code }).first('state', 'redeemed_by')
  if (voucher?.state === 'redeemed') {
    return voucher.redeemed_by === cabinetId ? 'redeemed_here' : 'redeemed'
  }
  if (voucher) return 'pending'
  const payment = await db('payments').where({ payment_code: code })
    .first('target', 'state')
  if (!payment) return 'unknown'
  if (payment.target === 'cabinet') return 'direct_credit'
  return payment.state === 'reversed' ? 'reversed' : 'pending'
}
