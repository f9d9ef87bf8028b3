import { createHash } from 'node:crypto'
import { queryPrepared, type Db, type Trx } from '../db.ts'
import { payerByKey, type PayerKey } from '../payers/resolve.ts'
import { GatewayError, isTransientDbError } from '../errors.ts'
import { newPaymentCode } from './code.ts'
import { perTurn } from './per-turn.ts'

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
  /**
   * Instead of `cabinetId`: the payer's parsed reference, looked up inside the
   * insert (one round trip). No such cabinet, or a blocked one, throws
   * 'payer_not_found' or 'cabinet_blocked', as resolvePayer does.
   */
  payerKey?: PayerKey
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

/** The columns toPayment reads, named so that a prepared statement's result stays put. */
const paymentColumns = ['id', 'provider', 'external_id', 'source', 'target', 'payer_ref',
  'cabinet_id', 'amount', 'fingerprint', 'provider_time_raw', 'provider_time', 'received_at',
  'state', 'payment_code', 'reply', 'metadata', 'ledger_transaction_id', 'posted_at'].join(', ')

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

// The row's id exists only inside the insert, so the reply is built around
// this marker and the statement swaps in the id: one round trip, not two.
const idMarker = 9_223_372_036_854_775_807n

interface Pending {
  input: AcceptInput
  fingerprint: string
  paymentCode: string
}

type Row = Record<string, unknown>

// The batch goes in as one array per column, so the statement's text is the
// same for any number of payments and each connection prepares it once.
const columnTypes = ['int', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'text',
  'bigint', 'text', 'text', 'timestamptz', 'text', 'text', 'text']

function valuesOf(p: Pending, ord: number): Array<string | number | Date | null> {
  const { input } = p
  const key = input.payerKey
  return [ord, input.provider, input.externalId, input.source, input.target ?? 'cabinet',
    input.payerRef, key ? null : input.cabinetId?.toString() ?? null,
    key && 'number' in key ? key.number.toString() : null,
    key && 'document' in key ? key.document : null,
    input.amount.toString(), p.fingerprint, input.providerTimeRaw ?? null,
    input.providerTime ?? null, p.paymentCode,
    JSON.stringify(input.reply?.({ id: idMarker, paymentCode: p.paymentCode }) ?? {}),
    JSON.stringify(input.metadata ?? {})]
}

/**
 * Inserts payments in one statement. A payer named by reference is looked up
 * in the same statement: a blocked or unknown cabinet gives no row, and the
 * caller finds out which. Each row's id is swapped into its stored reply.
 */
function insertStatement(): string {
  const param = (i: number) => `$${i + 1}`
  return `
    with v (ord, provider, external_id, source, target, payer_ref, cabinet_id, num, doc,
        amount, fingerprint, ptr, pt, code, reply, metadata) as (
      select * from unnest(${columnTypes.map((t, i) => `${param(i)}::${t}[]`).join(', ')})
    ), p as (
      -- Scalar subqueries: one index probe per payment whatever the table's
      -- size (joins were planned as two scans of the whole cabinets table).
      select nextval('payments_id_seq') as id, v.*, coalesce(v.cabinet_id,
        (select c.id from cabinets c where c.number = v.num and not c.blocked),
        (select c.id from cabinets c where c.document = v.doc and not c.blocked)) as cab
      from v
    )
    insert into payments (id, provider, external_id, source, target, payer_ref, cabinet_id,
      amount, fingerprint, provider_time_raw, provider_time, payment_code, reply, metadata)
    select id, provider, external_id, source, target, payer_ref, cab, amount, fingerprint,
      ptr, pt, code, replace(reply, ${param(columnTypes.length)}, id::text)::jsonb,
      metadata::jsonb
    from p where (num is null and doc is null) or cab is not null order by ord
    on conflict (provider, external_id) do nothing
    returning ${paymentColumns}`
}

const prepared = { name: 'accept_payments', text: insertStatement() }

async function insertPayments(db: Db | Trx, batch: Pending[]): Promise<Row[]> {
  const rows = batch.map((p, i) => valuesOf(p, i))
  const values = [...columnTypes.map((_, c) => rows.map((r) => r[c] ?? null)),
    idMarker.toString()]
  return (await queryPrepared(db, prepared, values)).rows
}

/** The rows a shared insert committed, and the payments it could not take. */
interface SharedInsert {
  rows: Row[]
  refused: Map<Pending, unknown>
}

/**
 * One statement for the batch. Should the database refuse the statement for
 * something one row holds (inputs are checked before, so this is a safety
 * net), each payment is tried alone, so only the one at fault is refused.
 * Outages and payment-code collisions go to every caller, who retries.
 */
async function insertShared(db: Db, batch: Pending[]): Promise<SharedInsert> {
  try {
    return { rows: await insertPayments(db, batch), refused: new Map() }
  } catch (err) {
    if (batch.length === 1 || isTransientDbError(err) || isCodeCollision(err)) throw err
    const out: SharedInsert = { rows: [], refused: new Map() }
    for (const p of batch) {
      try {
        out.rows.push(...await insertPayments(db, [p]))
      } catch (one) {
        if (isTransientDbError(one) || isCodeCollision(one)) throw one
        out.refused.set(p, one)
      }
    }
    return out
  }
}

const insertTogether = perTurn(insertShared)

/**
 * Payments accepted in the same turn of the event loop share one INSERT (one
 * round trip and one commit for a burst); inside a caller's transaction the
 * payment is inserted at once. Resolves to this payment's row, if inserted.
 */
async function insertSoon(db: Db | Trx, p: Pending): Promise<Row | undefined> {
  let rows: Row[]
  if (db.isTransaction) {
    rows = await insertPayments(db, [p])
  } else {
    const shared = await insertTogether(db, p)
    if (shared.refused.has(p)) throw shared.refused.get(p)
    rows = shared.rows
  }
  return rows.find((r) => r.payment_code === p.paymentCode)
}

/**
 * Commits a payment row, or finds the one committed before under the same
 * provider and external id. The insert is a single statement: with READ
 * COMMITTED a concurrent twin waits for the first commit and then sees it.
 */
export async function acceptPayment(db: Db | Trx, input: AcceptInput)
  : Promise<AcceptOutcome> {
  const fingerprint = fingerprintOf(input)
  try {
    for (let attempt = 1; ; attempt++) {
      const paymentCode = newPaymentCode()
      try {
        const row = await insertSoon(db, { input, fingerprint, paymentCode })
        if (row) return { status: 'accepted', payment: toPayment(row) }
        break
      } catch (err) {
        // 10^14 codes make a collision rare; a fresh code settles it.
        if (!isCodeCollision(err) || attempt >= 5) throw err
      }
    }
    const existing = await findPayment(db, input.provider, input.externalId)
    if (!existing && input.payerKey) {
      // No row and no twin: the payer is unknown or blocked, and this says which.
      await payerByKey(db, input.payerKey)
      throw new GatewayError('unavailable', 'the payer changed during the payment; retry')
    }
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
