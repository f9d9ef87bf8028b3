import type { Db } from '../db.ts'
import { GatewayError, isGatewayError } from '../errors.ts'
import type { Metrics } from '../http/metrics.ts'
import type { Logger } from '../log.ts'
import { acceptPayment } from '../payments/accept.ts'
import { enqueueCredits, type CreditsQueue } from '../queue/credits.ts'
import { isAzn } from '../../adapters/azericard/format.ts'
import {
  findOrder, fromRow, pendingStates, processorOrder, type CardOrder, type CardOrderRow,
} from './orders.ts'
import type { CallbackNotice, CardProcessor, ProcessorRefs, StatusResult } from './processor.ts'

export interface CardsDeps {
  db: Db
  log: Logger
  queues: { credits: CreditsQueue }
  metrics?: Pick<Metrics, 'paymentsAccepted' | 'enqueueFailures'>
}

export type SettleTrigger = 'callback' | 'return' | 'sweep'

/**
 * `settled`: the order is (now or already) paid, declined, expired or reversed.
 * `pending`: nothing final yet; the sweeper asks again. `rejected`: a callback
 * that must change nothing. `unknown`: no such order of ours.
 */
export type SettleResult =
  | { status: 'settled'; order: CardOrder; changed: boolean }
  | { status: 'pending'; order: CardOrder; reason: string }
  | { status: 'rejected'; order: CardOrder; reason: string }
  | { status: 'unknown' }

const minute = 60_000

/** How long the sweeper waits before asking again: 5, 10, 20, 40, then every 60 minutes. */
export function nextCheckDelay(checks: number): number {
  return Math.min(5 * minute * 2 ** Math.min(checks, 4), 60 * minute)
}

const refColumns = { rrn: 'rrn', intRef: 'int_ref', transaction: 'transaction' } as const

/** Another order of this processor already holds one of these references. */
async function refsTaken(db: Db, order: CardOrder, refs: ProcessorRefs): Promise<boolean> {
  const pairs: Array<[string, string]> = []
  for (const [key, col] of Object.entries(refColumns)) {
    const v = refs[key as keyof ProcessorRefs]
    if (v) pairs.push([col, v])
  }
  if (pairs.length === 0) return false
  const hit = await db('card_orders').where({ processor: order.processor })
    .whereNot({ id: order.id })
    .where((q) => {
      for (const [col, v] of pairs) q.orWhere(col, v)
    }).first('id')
  return Boolean(hit)
}

function sameRef(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.toUpperCase() === b.toUpperCase()
}

/** Why a callback must not move the order; null when it may trigger a status query. */
async function checkNotice(db: Db, order: CardOrder, n: CallbackNotice): Promise<string | null> {
  if (n.amount === null || n.amount !== order.amount) return 'amount differs from the order'
  if (n.currency !== null && n.currency !== '' && !isAzn(n.currency)) return 'currency is not AZN'
  if (!sameRef(order.refs.transaction, n.refs.transaction)) return 'transaction differs'
  if (await refsTaken(db, order, n.refs)) return 'reference belongs to another order'
  return null
}

/** Why a paid status must not be credited; null when it matches the order. */
function checkPaid(order: CardOrder, s: StatusResult, n?: CallbackNotice): string | null {
  if (s.amount === null || s.amount !== order.amount) return 'status amount differs'
  if (s.currency !== null && s.currency !== '' && !isAzn(s.currency)) return 'status currency'
  if (n && (!sameRef(n.refs.rrn, s.refs.rrn) || !sameRef(n.refs.intRef, s.refs.intRef))) {
    return 'status references differ from the callback'
  }
  return null
}

async function reschedule(deps: CardsDeps, order: CardOrder, detail: string | null) {
  const [row] = await deps.db('card_orders').where({ id: order.id }).update({
    checks: deps.db.raw('checks + 1'),
    last_checked_at: deps.db.fn.now(),
    next_check_at: new Date(Date.now() + nextCheckDelay(order.checks)),
    updated_at: deps.db.fn.now(),
    ...(detail ? { detail } : {}),
  }).returning('*')
  return row ? fromRow(row) : order
}

/**
 * The one settle routine behind the callback, the browser return and the
 * sweeper. It always asks the processor about our own order, and moves the
 * order with conditional updates, so concurrent settles credit once.
 */
export async function settleOrder(
  deps: CardsDeps, processor: CardProcessor, orderNumber: string,
  opts: { trigger: SettleTrigger; notice?: CallbackNotice },
): Promise<SettleResult> {
  const log = deps.log.child({ component: 'cards', provider: processor.id, order: orderNumber,
    trigger: opts.trigger })
  const order = await findOrder(deps.db, processor.id, orderNumber)
  if (!order) {
    log.warn({ hint: opts.notice?.hint }, 'card notice for an unknown order: nothing changed')
    return { status: 'unknown' }
  }
  if (!pendingStates.includes(order.state)) {
    return { status: 'settled', order, changed: false }
  }
  if (opts.notice) {
    const reason = await checkNotice(deps.db, order, opts.notice)
    if (reason) {
      log.warn({ reason, amount: opts.notice.amount?.toString() ?? null,
        expected: order.amount.toString() }, 'card callback refused: nothing changed')
      return { status: 'rejected', order, reason }
    }
  }

  let status: StatusResult
  try {
    status = await processor.queryStatus(processorOrder(order))
  } catch (err) {
    if (!isGatewayError(err, 'unavailable')) throw err
    log.warn({ err }, 'card status unknown: order left pending for the sweeper')
    return { status: 'pending', order: await reschedule(deps, order, null), reason: err.message }
  }

  if (status.outcome === 'paid') {
    const fault = checkPaid(order, status, opts.notice)
    if (fault) {
      // The processor says paid but not what we ordered: a person must look.
      log.error({ fault, reported: status.amount?.toString() ?? null,
        expected: order.amount.toString(), detail: status.detail },
      'card order reported paid with other terms: not credited')
      return { status: 'pending', order: await reschedule(deps, order, status.detail),
        reason: fault }
    }
    return markPaid(deps, processor, order, status, opts.notice, log)
  }
  if (status.outcome === 'declined') {
    const [row] = await deps.db('card_orders').where({ id: order.id })
      .whereIn('state', pendingStates)
      .update({ state: 'declined', detail: status.detail, settled_at: deps.db.fn.now(),
        last_checked_at: deps.db.fn.now(), updated_at: deps.db.fn.now() })
      .returning('*')
    if (row) log.info({ detail: status.detail }, 'card order declined')
    const now = row ? fromRow(row) : await findOrder(deps.db, processor.id, orderNumber)
    return { status: 'settled', order: now ?? order, changed: Boolean(row) }
  }
  return { status: 'pending', order: await reschedule(deps, order, status.detail),
    reason: status.detail }
}

const refConstraint = /^card_orders_processor_(rrn|int_ref|transaction)_unique$/

async function markPaid(
  deps: CardsDeps, processor: CardProcessor, order: CardOrder, status: StatusResult,
  notice: CallbackNotice | undefined, log: Logger,
): Promise<SettleResult> {
  const refs = { ...notice?.refs, ...order.refs, ...status.refs }
  let paymentId: bigint | null = null
  let row: Record<string, unknown> | undefined
  try {
    row = await deps.db.transaction(async (trx) => {
      const locked = await trx('card_orders').where({ id: order.id })
        .whereIn('state', pendingStates).forUpdate().first('id')
      if (!locked) return undefined
      const cabinet = await trx('cabinets').where({ id: order.cabinetId }).first('number')
      const number = String(cabinet?.number ?? order.cabinetId)
      const accepted = await acceptPayment(trx, {
        provider: processor.id, externalId: order.orderNumber, source: 'card',
        payerRef: number, account: number, cabinetId: order.cabinetId, amount: order.amount,
        providerTime: new Date(),
        metadata: { channel: order.channel, ...(refs.rrn ? { rrn: refs.rrn } : {}) },
      })
      if (accepted.status === 'mismatch') {
        throw new GatewayError('payment_mismatch', 'a payment with this order number differs')
      }
      paymentId = accepted.payment.id
      const [updated] = await trx('card_orders').where({ id: order.id }).update({
        state: 'paid', payment_id: paymentId, rrn: refs.rrn ?? null,
        int_ref: refs.intRef ?? null, transaction: refs.transaction ?? null,
        approval: status.approval ?? null, detail: status.detail,
        settled_at: trx.fn.now(), last_checked_at: trx.fn.now(), updated_at: trx.fn.now(),
      }).returning('*')
      return updated as Record<string, unknown>
    })
  } catch (err) {
    const constraint = (err as { constraint?: string }).constraint ?? ''
    if (!refConstraint.test(constraint) && !isGatewayError(err, 'payment_mismatch')) throw err
    log.error({ err, constraint }, 'card order paid with a reference or number already used')
    return { status: 'pending', order: await reschedule(deps, order, status.detail),
      reason: 'reference already used' }
  }
  if (!row) {
    // Another settle got there first; report what it left.
    const now = await findOrder(deps.db, processor.id, order.orderNumber)
    return { status: 'settled', order: now ?? order, changed: false }
  }
  const paid = fromRow(row as unknown as CardOrderRow)
  log.info({ paymentId: String(paymentId), amount: order.amount.toString() }, 'card order paid')
  deps.metrics?.paymentsAccepted.inc({ provider: processor.id })
  if (paid.paymentId !== null) {
    try {
      await enqueueCredits(deps.queues.credits, [paid.paymentId])
    } catch (err) {
      deps.metrics?.enqueueFailures.inc()
      log.warn({ err }, 'credit job not enqueued; the payments sweeper will pick it up')
    }
  }
  return { status: 'settled', order: paid, changed: true }
}

/**
 * A callback or a signed browser return: verify, then settle our own order.
 * A bad signature changes nothing and is logged at warn.
 */
export async function settleNotice(
  deps: CardsDeps, processor: CardProcessor, body: Record<string, unknown>,
  trigger: 'callback' | 'return',
): Promise<SettleResult | { status: 'forged'; reason: string }> {
  let notice: CallbackNotice
  try {
    notice = processor.verifyCallback(body)
  } catch (err) {
    if (!isGatewayError(err, 'unauthorized') && !isGatewayError(err, 'bad_request')) throw err
    deps.log.warn({ component: 'cards', provider: processor.id, trigger, reason: err.message },
      'card callback refused: nothing changed')
    return { status: 'forged', reason: err.message }
  }
  return settleOrder(deps, processor, notice.orderNumber, { trigger, notice })
}
