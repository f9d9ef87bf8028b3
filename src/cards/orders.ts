import { randomInt } from 'node:crypto'
import type { Db, Trx } from '../db.ts'
import { GatewayError } from '../errors.ts'
import type { ProcessorOrder, ProcessorRefs } from './processor.ts'

export type OrderState = 'created' | 'redirected' | 'paid' | 'declined' | 'expired' | 'reversed'

/** States the processor may still move; everything else is final for the settle routine. */
export const pendingStates: readonly OrderState[] = ['created', 'redirected']

export interface CardOrder {
  id: bigint
  publicId: string
  processor: string
  orderNumber: string
  cabinetId: bigint
  channel: 'cabinet' | 'public'
  amount: bigint
  currency: 'AZN'
  state: OrderState
  refs: ProcessorRefs
  approval: string | null
  detail: string | null
  paymentId: bigint | null
  checks: number
  lastCheckedAt: Date | null
  createdAt: Date
  settledAt: Date | null
}

export interface CardOrderRow {
  id: bigint
  public_id: string
  processor: string
  order_number: string
  cabinet_id: bigint
  channel: 'cabinet' | 'public'
  amount: bigint
  state: OrderState
  rrn: string | null
  int_ref: string | null
  transaction: string | null
  approval: string | null
  detail: string | null
  payment_id: bigint | null
  checks: number
  last_checked_at: Date | null
  created_at: Date
  settled_at: Date | null
}

export function fromRow(r: CardOrderRow): CardOrder {
  return {
    id: r.id, publicId: r.public_id, processor: r.processor, orderNumber: r.order_number,
    cabinetId: r.cabinet_id, channel: r.channel, amount: r.amount, currency: 'AZN',
    state: r.state,
    refs: {
      ...(r.rrn ? { rrn: r.rrn } : {}),
      ...(r.int_ref ? { intRef: r.int_ref } : {}),
      ...(r.transaction ? { transaction: r.transaction } : {}),
    },
    approval: r.approval, detail: r.detail, paymentId: r.payment_id, checks: r.checks,
    lastCheckedAt: r.last_checked_at, createdAt: r.created_at, settledAt: r.settled_at,
  }
}

export function processorOrder(o: CardOrder): ProcessorOrder {
  return { orderNumber: o.orderNumber, amount: o.amount, createdAt: o.createdAt, refs: o.refs }
}

/**
 * An order number: the UTC date `YYYYMMDD` and six CSPRNG digits, so the last
 * six (Azericard's STAN) differ per terminal per day, with the unique index
 * catching the rare collision. It never carries the payer's document or cabinet.
 */
export function mintOrderNumber(at: Date = new Date()): string {
  const day = at.toISOString().slice(0, 10).replace(/-/g, '')
  return `${day}${randomInt(0, 1_000_000).toString().padStart(6, '0')}`
}

const uniqueNumber = 'card_orders_processor_order_number_unique'

export interface NewOrder {
  processor: string
  cabinetId: bigint
  amount: bigint
  channel: 'cabinet' | 'public'
}

/** Inserts a created order, minting a fresh number on the rare collision. */
export async function createOrder(db: Db | Trx, o: NewOrder, at = new Date()): Promise<CardOrder> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const [row] = await db('card_orders').insert({
        processor: o.processor, order_number: mintOrderNumber(at), cabinet_id: o.cabinetId,
        channel: o.channel, amount: o.amount,
      }).returning('*')
      return fromRow(row as CardOrderRow)
    } catch (err) {
      if ((err as { constraint?: string }).constraint !== uniqueNumber) throw err
    }
  }
  throw new GatewayError('internal', 'could not mint a unique order number in 5 attempts')
}

export async function findOrder(db: Db | Trx, processor: string, orderNumber: string)
  : Promise<CardOrder | null> {
  const row = await db('card_orders').where({ processor, order_number: orderNumber }).first()
  return row ? fromRow(row as CardOrderRow) : null
}

export async function findByPublicId(db: Db | Trx, publicId: string): Promise<CardOrder | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(publicId)) return null
  const row = await db('card_orders').where({ public_id: publicId }).first()
  return row ? fromRow(row as CardOrderRow) : null
}

/** created → redirected, recording any reference the processor handed out at registration. */
export async function markRedirected(db: Db | Trx, id: bigint, refs: ProcessorRefs)
  : Promise<boolean> {
  const n = await db('card_orders').where({ id, state: 'created' }).update({
    state: 'redirected', redirected_at: db.fn.now(), updated_at: db.fn.now(),
    ...(refs.transaction ? { transaction: refs.transaction } : {}),
  })
  return n === 1
}

/**
 * An operator closes a waiting order the processor can no longer answer about
 * (past its status window). The order may still become paid later on the
 * processor's word; this only stops the sweeper asking. Returns the order, or
 * null when it was not waiting.
 */
export async function expireByOperator(db: Db | Trx, processor: string, orderNumber: string,
  note: string): Promise<CardOrder | null> {
  const [row] = await db('card_orders')
    .where({ processor, order_number: orderNumber }).whereIn('state', pendingStates)
    .update({ state: 'expired', settled_at: db.fn.now(), updated_at: db.fn.now(),
      detail: note.slice(0, 500) })
    .returning('*')
  return row ? fromRow(row as CardOrderRow) : null
}
