import { createHash } from 'node:crypto'
import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import { accountId, cabinetAccount, post } from '../ledger/index.ts'
import { formatAmount } from '../money.ts'
import { normaliseRef, resolvePayer } from '../payers/index.ts'

/** A service client of the charge API, as the providers file configures it. */
export interface ChargeClient {
  id: string
  /** The revenue account the client's charges go to (its id unless configured). */
  revenue: string
}

export interface ChargeRequest {
  /** The service's own id for the charge: the idempotency key with the client. */
  externalId: string
  /** A cabinet number or an identity document number. */
  payer: string
  amount: bigint
  purpose: string
  servedPerson: string
}

/** A charge as the API shows it; the first answer is stored and replayed as is. */
export interface ChargeResource {
  id: string
  externalId: string
  cabinet: string
  amount: string
  purpose: string
  servedPerson: string
  transactionId: string
  createdAt: string
}

export interface ChargeState extends ChargeResource {
  refunded: string
  refundable: string
}

export interface RefundRequest {
  chargeId: bigint
  /** The service's own id for the refund: the idempotency key with the client. */
  externalId: string
  /** Absent: whatever of the charge is not refunded yet. */
  amount?: bigint
  reason?: string
}

export interface RefundResource {
  id: string
  refundId: string
  chargeId: string
  amount: string
  reason: string | null
  transactionId: string
  createdAt: string
  chargeRefunded: string
  chargeRefundable: string
}

/** `created`: this call moved the money; otherwise the stored first answer. */
export interface Answer<T> {
  created: boolean
  body: T
}

const fingerprint = (parts: unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex')

const chargeKeys = ['id', 'externalId', 'cabinet', 'amount', 'purpose', 'servedPerson',
  'transactionId', 'createdAt'] as const
const refundKeys = ['id', 'refundId', 'chargeId', 'amount', 'reason', 'transactionId',
  'createdAt', 'chargeRefunded', 'chargeRefundable'] as const

// jsonb keeps no key order; a replay answers the keys in the first answer's order.
function inOrder<T>(stored: unknown, keys: readonly (keyof T & string)[]): T {
  const o = stored as Record<string, unknown>
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as T
}

function replay<T>(row: { fingerprint: string; response: unknown }, print: string,
  what: string, keys: readonly (keyof T & string)[]): Answer<T> {
  if (row.fingerprint !== print) {
    throw new GatewayError('idempotency_conflict',
      `${what} was already made with other content`)
  }
  return { created: false, body: inOrder<T>(row.response, keys) }
}

/**
 * Debits a cabinet for a service, exactly once per (client, externalId): a
 * repeat with the same content answers the first result, with other content
 * 'idempotency_conflict'. Throws 'account_format', 'payer_not_found',
 * 'cabinet_blocked' and 'insufficient_funds'; a refused charge leaves no
 * trace, so the service may retry the same id after the holder tops up.
 */
export async function createCharge(db: Db, client: ChargeClient, req: ChargeRequest)
  : Promise<Answer<ChargeResource>> {
  const print = fingerprint([normaliseRef(req.payer), req.amount.toString(), req.purpose,
    req.servedPerson])
  const known = await db('charges').where({ client: client.id, external_id: req.externalId })
    .first('fingerprint', 'response')
  if (known) return replay<ChargeResource>(known, print, `charge ${req.externalId}`, chargeKeys)

  const payer = await resolvePayer(db, req.payer, 'either')
  return db.transaction(async (trx) => {
    // A concurrent twin waits here for the first commit, then replays it.
    const [claimed] = await trx('charges').insert({
      client: client.id, external_id: req.externalId, fingerprint: print,
      cabinet_id: payer.cabinetId, amount: req.amount, purpose: req.purpose,
      served_person: req.servedPerson,
    }).onConflict(['client', 'external_id']).ignore().returning(['id'])
    if (!claimed) {
      const winner = await trx('charges')
        .where({ client: client.id, external_id: req.externalId })
        .first('fingerprint', 'response')
      return replay<ChargeResource>(winner, print, `charge ${req.externalId}`, chargeKeys)
    }
    const [from, to] = await Promise.all([cabinetAccount(trx, payer.cabinetId),
      accountId(trx, { kind: 'revenue', service: client.revenue })])
    const posted = await post(trx, {
      key: `charge:${client.id}:${req.externalId}`,
      kind: 'charge',
      legs: [{ account: from, amount: -req.amount }, { account: to, amount: req.amount }],
      metadata: { purpose: req.purpose, servedPerson: req.servedPerson, client: client.id,
        externalId: req.externalId, chargeId: claimed.id.toString() },
    })
    const body: ChargeResource = {
      id: claimed.id.toString(), externalId: req.externalId, cabinet: payer.number.toString(),
      amount: formatAmount(req.amount), purpose: req.purpose, servedPerson: req.servedPerson,
      transactionId: posted.transactionId.toString(), createdAt: posted.createdAt.toISOString(),
    }
    await trx('charges').where({ id: claimed.id })
      .update({ ledger_transaction_id: posted.transactionId, response: body })
    return { created: true, body }
  })
}

/** A client's charge with what is refunded of it now; 'not_found' for another's. */
export async function getCharge(db: Db | Trx, client: ChargeClient, id: bigint)
  : Promise<ChargeState> {
  const row = await db('charges').where({ id, client: client.id }).first()
  if (!row) throw new GatewayError('not_found', `charge ${id} does not exist`)
  return stateOf(row)
}

function stateOf(row: Record<string, unknown>): ChargeState {
  const amount = row.amount as bigint
  const refunded = row.refunded as bigint
  return { ...inOrder<ChargeResource>(row.response, chargeKeys), refunded: formatAmount(refunded),
    refundable: formatAmount(amount - refunded) }
}

/**
 * Gives back all or part of a charge, exactly once per (client, externalId).
 * The charge's row is locked while the refund is decided, so concurrent
 * refunds never sum to more than was charged.
 */
export async function refundCharge(db: Db, client: ChargeClient, req: RefundRequest)
  : Promise<Answer<RefundResource>> {
  const print = fingerprint([req.chargeId.toString(), req.amount?.toString() ?? null,
    req.reason ?? null])
  const what = `refund ${req.externalId}`
  return db.transaction(async (trx) => {
    const charge = await trx('charges').where({ id: req.chargeId, client: client.id })
      .forUpdate().first()
    if (!charge) throw new GatewayError('not_found', `charge ${req.chargeId} does not exist`)
    const known = await trx('charge_refunds')
      .where({ client: client.id, external_id: req.externalId }).first('fingerprint', 'response')
    if (known) return replay<RefundResource>(known, print, what, refundKeys)

    const refundable = (charge.amount as bigint) - (charge.refunded as bigint)
    const amount = req.amount ?? refundable
    if (refundable === 0n) {
      throw new GatewayError('conflict', `charge ${req.chargeId} is already refunded in full`)
    }
    if (amount > refundable) {
      throw new GatewayError('amount_too_large',
        `refund is above what is left of the charge: ${formatAmount(refundable)}`,
        { refundable: formatAmount(refundable) })
    }
    const [claimed] = await trx('charge_refunds').insert({
      charge_id: charge.id, client: client.id, external_id: req.externalId, fingerprint: print,
      amount, reason: req.reason ?? null,
    }).onConflict(['client', 'external_id']).ignore().returning(['id'])
    if (!claimed) {
      const winner = await trx('charge_refunds')
        .where({ client: client.id, external_id: req.externalId }).first('fingerprint', 'response')
      return replay<RefundResource>(winner, print, what, refundKeys)
    }
    const [from, to] = await Promise.all([
      accountId(trx, { kind: 'revenue', service: client.revenue }),
      cabinetAccount(trx, charge.cabinet_id)])
    const posted = await post(trx, {
      key: `refund:${client.id}:${req.externalId}`,
      kind: 'refund',
      legs: [{ account: from, amount: -amount }, { account: to, amount }],
      metadata: { purpose: charge.purpose, servedPerson: charge.served_person,
        client: client.id, chargeId: charge.id.toString(), reason: req.reason ?? null },
    })
    const [updated] = await trx('charges').where({ id: charge.id })
      .update({ refunded: trx.raw('refunded + ?', [amount.toString()]) })
      .returning(['amount', 'refunded'])
    const state = { amount: updated.amount as bigint, refunded: updated.refunded as bigint }
    const body: RefundResource = {
      id: claimed.id.toString(), refundId: req.externalId, chargeId: charge.id.toString(),
      amount: formatAmount(amount), reason: req.reason ?? null,
      transactionId: posted.transactionId.toString(), createdAt: posted.createdAt.toISOString(),
      chargeRefunded: formatAmount(state.refunded),
      chargeRefundable: formatAmount(state.amount - state.refunded),
    }
    await trx('charge_refunds').where({ id: claimed.id })
      .update({ ledger_transaction_id: posted.transactionId, response: body })
    return { created: true, body }
  })
}
