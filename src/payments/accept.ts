import { createHash } from 'node:crypto'
import type { Db, Trx } from '../db.ts'
import { GatewayError, isTransientDbError } from '../errors.ts'
import { newPaymentCode } from './code.ts'

export type PaymentSource = 'terminal' | 'card' | 'operator'
export type PaymentTarget = 'cabinet' | 'voucher'
export type PaymentState = 'accepted' | 'posted' | 'reversed'
export type StoredReply = Record<string, string | number>

/** One external payment, as the `payments` table holds it. */
export interface Payment {
  id: bigint
  provider: string
  externalId: string
  source: PaymentSource
  target: PaymentTarget
  payerRef: string
  cabinetId: bigint | null
  amount: bigint
  fingerprint: string
  providerTimeRaw: string | null
  providerTime: Date | null
  receivedAt: Date
  state: PaymentState
  paymentCode: string
  /** What the provider was told the first time; replays render it again. */
  reply: StoredReply
  metadata: Record<string, unknown>
  ledgerTransactionId: bigint | null
  postedAt: Date | null
}

export interface AcceptInput {
  provider: string
  /** The provider's own id for the payment: the idempotency key with `provider`. */
  externalId: string
  source: PaymentSource
  target?: PaymentTarget
  /** The payer reference exactly as received. */
  payerRef: string
  /** The payer reference normalised; with the amount it is the fingerprint. */
  account: string
  cabinetId: bigint | null
  amount: bigint
  providerTimeRaw?: string | null
  providerTime?: Date | null
  /** Non-personal extras, e.g. a network's service type. */
  metadata?: Record<string, string | number | boolean | null>
  /** Builds the reply to store, from the new row's id and payment code. */
  reply?: (p: { id: bigint; paymentCode: string }) => StoredReply
}

/**
 * `accepted`: this call committed the row. `replayed`: the same payment was
 * accepted before. `mismatch`: the id was used before for another account or
 * amount; nothing was stored and nothing may be credited.
 */
export type AcceptOutcome =
  | { status: 'accepted'; payment: Payment }
  | { status: 'replayed'; payment: Payment }
  | { status: 'mismatch'; payment: Payment }

/** What a payment asks for: the payer as normalised and the amount. */
export function fingerprintOf(p: { target?: PaymentTarget; account: string; amount: bigint })
  : string {
  const canonical = JSON.stringify([p.target ?? 'cabinet', p.account, p.amount.toString(), 'AZN'])
  return createHash('sha256').update(canonical).digest('hex')
}

export function toPayment(row: Record<string, unknown>): Payment {
  return {
    id: row.id as bigint,
    provider: row.provider as string,
    externalId: row.external_id as string,
    source: row.source as PaymentSource,
    target: row.target as PaymentTarget,
    payerRef: row.payer_ref as string,
    cabinetId: (row.cabinet_id as bigint | null) ?? null,
    amount: row.amount as bigint,
    fingerprint: row.fingerprint as string,
    providerTimeRaw: (row.provider_time_raw as string | null) ?? null,
    providerTime: (row.provider_time as Date | null) ?? null,
    receivedAt: row.received_at as Date,
    state: row.state as PaymentState,
    paymentCode: row.payment_code as string,
    reply: row.reply as StoredReply,
    metadata: row.metadata as Record<string, unknown>,
    ledgerTransactionId: (row.ledger_transaction_id as bigint | null) ?? null,
    postedAt: (row.posted_at as Date | null) ?? null,
  }
}

export async function findPayment(db: Db | Trx, provider: string, externalId: string)
  : Promise<Payment | null> {
  const row = await db('payments').where({ provider, external_id: externalId }).first()
  return row ? toPayment(row) : null
}

function isCodeCollision(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string }
  return e?.code === '23505' && e.constraint === 'payments_payment_code_unique'
}

/** Wraps a database fault as 'unavailable' when retrying later can help. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof GatewayError || !isTransientDbError(err)) return err
  return new GatewayError('unavailable', 'database is unavailable', { cause: err })
}

/**
 * Commits a payment row, or finds the one committed before under the same
 * provider and external id. The insert is a single statement: with READ
 * COMMITTED a concurrent twin waits for the first commit and then sees it.
 */
export async function acceptPayment(db: Db, input: AcceptInput): Promise<AcceptOutcome> {
  const fingerprint = fingerprintOf(input)
  try {
    for (let attempt = 1; ; attempt++) {
      const seq = await db.raw(`select nextval(pg_get_serial_sequence('payments', 'id')) as id`)
      const id = seq.rows[0].id as bigint
      const paymentCode = newPaymentCode()
      try {
        const [row] = await db('payments').insert({
          id,
          provider: input.provider,
          external_id: input.externalId,
          source: input.source,
          target: input.target ?? 'cabinet',
          payer_ref: input.payerRef,
          cabinet_id: input.cabinetId,
          amount: input.amount,
          fingerprint,
          provider_time_raw: input.providerTimeRaw ?? null,
          provider_time: input.providerTime ?? null,
          payment_code: paymentCode,
          reply: JSON.stringify(input.reply?.({ id, paymentCode }) ?? {}),
          metadata: JSON.stringify(input.metadata ?? {}),
        }).onConflict(['provider', 'external_id']).ignore().returning('*')
        if (row) return { status: 'accepted', payment: toPayment(row) }
        break
      } catch (err) {
        // 10^14 codes make a collision rare; a fresh code settles it.
        if (!isCodeCollision(err) || attempt >= 5) throw err
      }
    }
    const existing = await findPayment(db, input.provider, input.externalId)
    if (!existing) {
      throw new GatewayError('internal', 'payment conflicted but cannot be read back')
    }
    return existing.fingerprint === fingerprint
      ? { status: 'replayed', payment: existing }
      : { status: 'mismatch', payment: existing }
  } catch (err) {
    throw asUnavailable(err)
  }
}
