import { createHash, randomBytes } from 'node:crypto'
import type { Db, Trx } from '../db.ts'
import { isGatewayError, type ErrorCode } from '../errors.ts'
import { cabinetAccount, post } from '../ledger/index.ts'
import { parseAmount } from '../money.ts'
import { maskedName, resolvePayer, verifyPassword } from '../payers/index.ts'

/** How long the confirm form of a transfer stays valid. */
export const transferTokenMs = 15 * 60_000

export type StartRefusal =
  | 'wrong_password' | 'recipient_format' | 'recipient_not_found' | 'recipient_blocked'
  | 'self' | 'blocked'

/** What the sender may see of the recipient before naming an amount. */
export interface TransferIntent {
  token: string
  toNumber: bigint
  toMaskedName: string
  expiresAt: Date
}

export type StartOutcome =
  | { ok: true; intent: TransferIntent }
  | { ok: false; reason: StartRefusal }

export type ConfirmRefusal =
  | 'unknown_token' | 'expired' | 'insufficient_funds' | 'recipient_blocked' | 'blocked'
  | 'done_with_other_amount' | Extract<ErrorCode, 'amount_format' | 'amount_too_small'
    | 'amount_too_large'>

/** A completed transfer, as both sides' histories describe it. */
export interface TransferReceipt {
  transactionId: bigint
  amount: bigint
  fromNumber: bigint
  toNumber: bigint
  toMaskedName: string
  completedAt: Date
}

export type ConfirmOutcome =
  | { ok: true; receipt: TransferReceipt; replayed: boolean }
  | { ok: false; reason: ConfirmRefusal; receipt?: TransferReceipt }

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Step one: the sender's own password, then the recipient's cabinet number.
 * The password is checked first, so a stranger at an open session learns
 * nothing about other cabinets. Returns a one-time token for the confirm form.
 */
export async function startTransfer(
  db: Db,
  input: { fromCabinetId: bigint; password: string; recipient: string },
  now = new Date(),
): Promise<StartOutcome> {
  const sender = await db('cabinets').where({ id: input.fromCabinetId })
    .first('password_hash', 'blocked')
  if (!sender || sender.blocked) return { ok: false, reason: 'blocked' }
  const passwordOk = typeof sender.password_hash === 'string'
    && await verifyPassword(input.password, sender.password_hash)
  if (!passwordOk) return { ok: false, reason: 'wrong_password' }

  let recipient
  try {
    recipient = await resolvePayer(db, input.recipient, 'cabinet')
  } catch (err) {
    if (isGatewayError(err, 'account_format')) return { ok: false, reason: 'recipient_format' }
    if (isGatewayError(err, 'payer_not_found')) {
      return { ok: false, reason: 'recipient_not_found' }
    }
    if (isGatewayError(err, 'cabinet_blocked')) return { ok: false, reason: 'recipient_blocked' }
    throw err
  }
  if (recipient.cabinetId === input.fromCabinetId) return { ok: false, reason: 'self' }

  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(now.getTime() + transferTokenMs)
  await db('transfer_intents').insert({ token_hash: hashToken(token),
    from_cabinet: input.fromCabinetId, to_cabinet: recipient.cabinetId,
    created_at: now, expires_at: expiresAt })
  return { ok: true, intent: { token, toNumber: recipient.number,
    toMaskedName: recipient.maskedName, expiresAt } }
}

/** The recipient a live confirm form points at, to render it again. */
export async function findTransferIntent(db: Db, fromCabinetId: bigint, token: string,
  now = new Date()): Promise<TransferIntent | null> {
  const row = await db('transfer_intents as i').join('cabinets as c', 'c.id', 'i.to_cabinet')
    .where({ 'i.token_hash': hashToken(token), 'i.from_cabinet': fromCabinetId })
    .whereNull('i.completed_at').andWhere('i.expires_at', '>', now)
    .first('c.number', 'c.surname', 'c.name', 'c.patronymic', 'i.expires_at')
  return row ? { token, toNumber: row.number, toMaskedName: maskedName(row),
    expiresAt: row.expires_at } : null
}

/**
 * Step two: the amount. The intent's row is locked, and its id is the ledger
 * key, so a resubmitted form replays the first transfer instead of moving the
 * money again. A balance too small refuses the transfer and leaves the form
 * usable; the database refuses any balance below zero, however many race.
 */
export async function confirmTransfer(
  db: Db,
  input: { fromCabinetId: bigint; token: string; amount: string; maxAmount?: bigint },
  now = new Date(),
): Promise<ConfirmOutcome> {
  const amount = readAmount(input.amount, input.maxAmount)
  return db.transaction(async (trx) => {
    const intent = await trx('transfer_intents')
      .where({ token_hash: hashToken(input.token), from_cabinet: input.fromCabinetId })
      .forUpdate().first()
    if (!intent) return { ok: false as const, reason: 'unknown_token' as const }
    if (intent.completed_at) {
      const receipt = await receiptOf(trx, intent)
      return intent.amount === amount
        ? { ok: true as const, receipt, replayed: true }
        : { ok: false as const, reason: 'done_with_other_amount' as const, receipt }
    }
    if (intent.expires_at <= now) return { ok: false as const, reason: 'expired' as const }
    if (typeof amount === 'string') return { ok: false as const, reason: amount }

    const parties = await trx('cabinets').whereIn('id', [intent.from_cabinet, intent.to_cabinet])
      .select('id', 'number', 'surname', 'name', 'patronymic', 'blocked')
    const from = parties.find((p) => p.id === intent.from_cabinet)
    const to = parties.find((p) => p.id === intent.to_cabinet)
    if (!from || from.blocked) return { ok: false as const, reason: 'blocked' as const }
    if (!to || to.blocked) return { ok: false as const, reason: 'recipient_blocked' as const }

    const [fromAcc, toAcc] = await Promise.all([cabinetAccount(trx, from.id),
      cabinetAccount(trx, to.id)])
    let posted
    try {
      posted = await post(trx, {
        key: `transfer:${intent.id}`,
        kind: 'transfer',
        legs: [{ account: fromAcc, amount: -amount }, { account: toAcc, amount }],
        metadata: { fromCabinet: from.number.toString(), toCabinet: to.number.toString(),
          fromName: maskedName(from), toName: maskedName(to) },
      })
    } catch (err) {
      if (isGatewayError(err, 'insufficient_funds')) {
        return { ok: false as const, reason: 'insufficient_funds' as const }
      }
      throw err
    }
    const [done] = await trx('transfer_intents').where({ id: intent.id })
      .update({ amount, ledger_transaction_id: posted.transactionId,
        completed_at: posted.createdAt }).returning('*')
    return { ok: true as const, receipt: await receiptOf(trx, done), replayed: false }
  })
}

/** A completed transfer the cabinet sent, by its ledger transaction; null for anything else. */
export async function findTransferReceipt(db: Db, fromCabinetId: bigint, transactionId: bigint)
  : Promise<TransferReceipt | null> {
  const intent = await db('transfer_intents')
    .where({ from_cabinet: fromCabinetId, ledger_transaction_id: transactionId }).first()
  return intent ? receiptOf(db, intent) : null
}

type AmountProblem = Extract<ConfirmRefusal, `amount_${string}`>

// The amount, or why it is not one; decided after the intent, so that a form
// sent again after its transfer is answered with that transfer.
function readAmount(raw: string, max: bigint | undefined): bigint | AmountProblem {
  try {
    return parseAmount(raw.trim(), max)
  } catch (err) {
    const code = isGatewayError(err) ? err.code : null
    if (code === 'amount_format' || code === 'amount_too_small' || code === 'amount_too_large') {
      return code
    }
    throw err
  }
}

async function receiptOf(db: Db | Trx, intent: Record<string, unknown>)
  : Promise<TransferReceipt> {
  const rows = await db('cabinets')
    .whereIn('id', [String(intent.from_cabinet), String(intent.to_cabinet)])
    .select('id', 'number', 'surname', 'name', 'patronymic')
  const from = rows.find((r) => r.id === intent.from_cabinet)
  const to = rows.find((r) => r.id === intent.to_cabinet)
  return {
    transactionId: intent.ledger_transaction_id as bigint,
    amount: intent.amount as bigint,
    fromNumber: from.number,
    toNumber: to.number,
    toMaskedName: maskedName(to),
    completedAt: intent.completed_at as Date,
  }
}
