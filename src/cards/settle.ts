import type { Db } from '../db.ts'
import { GatewayError, isGatewayError } from '../errors.ts'
import type { Metrics } from '../http/metrics.ts'
import type { Logger } from '../log.ts'
import { acceptPayment } from '../payments/accept.ts'
import { enqueueCredits, type CreditsQueue } from '../queue/credits.ts'
import { isAzn } from '../../adapters/azericard/format.ts'
import {
  findOrder, fromRow, pendingStates, processorOrder, type CardOrder, type CardOrderRow,
  type OrderState,
} from './orders.ts'
import type { CallbackNotice, CardProcessor, ProcessorRefs, StatusResult } from './processor.ts'
import { finalCheckAt, nextCheckAt } from './schedule.ts'

export { nextCheckDelay } from './schedule.ts'

export interface CardsDeps {
  db: Db
  log: Logger
  queues: { credits: CreditsQueue }
  metrics?: Pick<Metrics, 'paymentsAccepted' | 'enqueueFailures'>
}

/** `operator`: `cards show --query`. Only `sweep` advances the sweeper's schedule. */
export type SettleTrigger = 'callback' | 'return' | 'sweep' | 'operator'

/**
 * `settled`: the order is (now or already) paid, declined, expired or reversed.
 * `pending`: nothing final yet (`final`: the sweeper's last check, so a person
 * must look). `rejected`: a callback that must change nothing. `unknown`: no
 * such order of ours. `answer` is what the processor said, when it was asked.
 */
export type SettleResult =
  | { status: 'settled'; order: CardOrder; changed: boolean; answer?: StatusResult }
  | { status: 'pending'; order: CardOrder; reason: string; answer?: StatusResult;
    final: boolean }
  | { status: 'rejected'; order: CardOrder; reason: string }
  | { status: 'unknown' }

export interface SettleOptions {
  trigger: SettleTrigger
  notice?: CallbackNotice
  /** The sweep's clock; it decides whether this is the final check. */
  now?: Date
}

/** States a status answer may still move: waiting ones, and expired ones to paid only. */
const openStates: readonly OrderState[] = [...pendingStates, 'expired']

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

/** Why a callback must not even trigger a status query; null when it may. */
async function checkNotice(db: Db, order: CardOrder, n: CallbackNotice): Promise<string | null> {
  if (n.amount === null || n.amount !== order.amount) return 'amount differs from the order'
  if (n.currency !== null && n.currency !== '' && !isAzn(n.currency)) return 'currency is not AZN'
  if (!sameRef(order.refs.transaction, n.refs.transaction)) return 'transaction differs'
  if (await refsTaken(db, order, n.refs)) return 'reference belongs to another order'
  return null
}

/** Why a paid status must not be credited; null when it matches the order. */
function checkPaid(order: CardOrder, s: StatusResult): string | null {
  if (s.amount === null || s.amount !== order.amount) return 'status amount differs'
  if (s.currency !== null && s.currency !== '' && !isAzn(s.currency)) return 'status currency'
  return null
}

/**
 * Records a check that settled nothing. Only the sweeper's own checks count
 * and move the next check; a callback or a browser return never does, so
 * replayed callbacks cannot push an order past its final check.
 */
async function noted(
  deps: CardsDeps, processor: CardProcessor, order: CardOrder, opts: SettleOptions,
  detail: string | null,
): Promise<CardOrder> {
  const sweep = opts.trigger === 'sweep' && pendingStates.includes(order.state)
  const [row] = await deps.db('card_orders').where({ id: order.id }).update({
    last_checked_at: deps.db.fn.now(),
    updated_at: deps.db.fn.now(),
    ...(detail ? { detail } : {}),
    ...(sweep ? {
      checks: deps.db.raw('checks + 1'),
      next_check_at: nextCheckAt(order, processor.statusWindowMs, opts.now ?? new Date()),
    } : {}),
  }).returning('*')
  return row ? fromRow(row as CardOrderRow) : order
}

/** Moves a waiting order to a final unpaid state, if it is still waiting. */
async function close(
  deps: CardsDeps, order: CardOrder, state: 'declined' | 'expired', status: StatusResult,
): Promise<SettleResult> {
  const [row] = await deps.db('card_orders').where({ id: order.id })
    .whereIn('state', pendingStates)
    .update({ state, detail: status.detail, settled_at: deps.db.fn.now(),
      last_checked_at: deps.db.fn.now(), updated_at: deps.db.fn.now() })
    .returning('*')
  const now = row ? fromRow(row as CardOrderRow)
    : await findOrder(deps.db, order.processor, order.orderNumber)
  return { status: 'settled', order: now ?? order, changed: Boolean(row), answer: status }
}

/**
 * The one settle routine behind the callback, the browser return, the sweeper
 * and the operator. The status query for our own order decides; a callback is
 * only a trigger. Orders move by conditional updates, so concurrent settles
 * credit once. Only the sweeper's final check expires an order, and only when
 * the processor, inside its window, says it has no payment for it.
 */
export async function settleOrder(
  deps: CardsDeps, processor: CardProcessor, orderNumber: string, opts: SettleOptions,
): Promise<SettleResult> {
  const log = deps.log.child({ component: 'cards', provider: processor.id, order: orderNumber,
    trigger: opts.trigger })
  const order = await findOrder(deps.db, processor.id, orderNumber)
  if (!order) {
    log.warn({ hint: opts.notice?.hint }, 'card notice for an unknown order: nothing changed')
    return { status: 'unknown' }
  }
  if (opts.notice) {
    const reason = await checkNotice(deps.db, order, opts.notice)
    if (reason) {
      log.warn({ reason, amount: opts.notice.amount?.toString() ?? null,
        expected: order.amount.toString() }, 'card callback refused: nothing changed')
      return { status: 'rejected', order, reason }
    }
  }
  if (!openStates.includes(order.state)) return { status: 'settled', order, changed: false }

  const now = opts.now ?? new Date()
  const waiting = pendingStates.includes(order.state)
  const final = opts.trigger === 'sweep' && waiting
    && now >= finalCheckAt(order.createdAt, processor.statusWindowMs)
  const pending = async (reason: string, detail: string | null, answer?: StatusResult)
    : Promise<SettleResult> => ({ status: 'pending', reason, final,
    order: await noted(deps, processor, order, opts, detail), ...(answer ? { answer } : {}) })

  let status: StatusResult
  try {
    status = await processor.queryStatus(processorOrder(order))
  } catch (err) {
    if (!isGatewayError(err, 'unavailable')) throw err
    log.warn({ err }, 'card status unknown: order left as it is')
    return pending(err.message, null)
  }
  const n = opts.notice
  if (n && (!sameRef(n.refs.rrn, status.refs.rrn) || !sameRef(n.refs.intRef, status.refs.intRef))) {
    log.warn({ callback: n.refs, status: status.refs, outcome: status.outcome },
      'card callback references differ from the status answer: possible replay; '
      + 'the status answer decides')
  }

  if (status.outcome === 'paid') {
    const fault = checkPaid(order, status)
    if (!fault) return markPaid(deps, processor, order, status, opts, log)
    // The processor says paid but not what we ordered: a person must look.
    log.error({ fault, reported: status.amount?.toString() ?? null, state: order.state,
      expected: order.amount.toString(), detail: status.detail },
    'card order reported paid with other terms: not credited')
    return pending(fault, status.detail, status)
  }
  if (!waiting) {
    // Expired: only a payment moves it.
    await noted(deps, processor, order, opts, null)
    return { status: 'settled', order, changed: false, answer: status }
  }
  if (status.outcome === 'declined') {
    const r = await close(deps, order, 'declined', status)
    if (r.status === 'settled' && r.changed) {
      log.info({ detail: status.detail }, 'card order declined')
    }
    return r
  }
  const inWindow = now.getTime() < order.createdAt.getTime() + processor.statusWindowMs
  if (final && status.outcome === 'absent' && inWindow) {
    const r = await close(deps, order, 'expired', status)
    if (r.status === 'settled' && r.changed) {
      log.info({ detail: status.detail }, 'card order expired: the processor has no payment for it')
    }
    return r
  }
  return pending(status.detail, status.detail, status)
}

const refConstraint = /^card_orders_processor_(rrn|int_ref|transaction)_unique$/

async function markPaid(
  deps: CardsDeps, processor: CardProcessor, order: CardOrder, status: StatusResult,
  opts: SettleOptions, log: Logger,
): Promise<SettleResult> {
  // The status answer's references, never the callback's: ORDER is not signed.
  const refs = { ...order.refs, ...status.refs }
  let paymentId: bigint | null = null
  let row: Record<string, unknown> | undefined
  try {
    row = await deps.db.transaction(async (trx) => {
      const locked = await trx('card_orders').where({ id: order.id })
        .whereIn('state', openStates).forUpdate().first('id')
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
    return { status: 'pending', reason: 'reference already used', answer: status,
      final: false, order: await noted(deps, processor, order, opts, status.detail) }
  }
  if (!row) {
    // Another settle got there first; report what it left.
    const now = await findOrder(deps.db, processor.id, order.orderNumber)
    return { status: 'settled', order: now ?? order, changed: false, answer: status }
  }
  const paid = fromRow(row as unknown as CardOrderRow)
  if (order.state === 'expired') {
    log.warn({ paymentId: String(paymentId), amount: order.amount.toString() },
      'expired card order reported paid by the processor: credited late')
  } else {
    log.info({ paymentId: String(paymentId), amount: order.amount.toString() }, 'card order paid')
  }
  deps.metrics?.paymentsAccepted.inc({ provider: processor.id })
  if (paid.paymentId !== null) {
    try {
      await enqueueCredits(deps.queues.credits, [paid.paymentId])
    } catch (err) {
      deps.metrics?.enqueueFailures.inc()
      log.warn({ err }, 'credit job not enqueued; the payments sweeper will pick it up')
    }
  }
  return { status: 'settled', order: paid, changed: true, answer: status }
}

/**
 * A callback or a signed browser return: verify, then settle our own order.
 * A bad signature changes nothing and is logged at warn.
 */
export async function settleNotice(
  deps: CardsDeps, processor: CardProcessor, body: Record<string, unknown>,
  trigger: 'callback' | 'return',
): Promise<{ result: SettleResult; notice: CallbackNotice } | { status: 'forged';
  reason: string }> {
  let notice: CallbackNotice
  try {
    notice = processor.verifyCallback(body)
  } catch (err) {
    if (!isGatewayError(err, 'unauthorized') && !isGatewayError(err, 'bad_request')) throw err
    deps.log.warn({ component: 'cards', provider: processor.id, trigger, reason: err.message },
      'card callback refused: nothing changed')
    return { status: 'forged', reason: err.message }
  }
  const result = await settleOrder(deps, processor, notice.orderNumber, { trigger, notice })
  return { result, notice }
}
