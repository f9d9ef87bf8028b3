import { isGatewayError } from '../errors.ts'
import { pendingStates, processorOrder, type CardOrder } from './orders.ts'
import type { CardProcessor, StatusResult } from './processor.ts'
import { settleOrder, type CardsDeps } from './settle.ts'

export interface OrderCheck {
  /** The order after the check: a waiting or expired one may have moved. */
  order: CardOrder
  /** What the processor said; null when it did not answer. */
  answer: StatusResult | null
  /** Why nothing moved, when something could have. */
  reason?: string
}

/**
 * The operator's `cards show --query`. A waiting or expired order goes through
 * the settle routine, so a payment the processor reports is credited (an
 * expired one late, logged at warn) and a refusal declines a waiting one; it
 * never expires an order or moves the sweeper's schedule. Any other order is
 * only asked about.
 */
export async function checkOrder(deps: CardsDeps, processor: CardProcessor, order: CardOrder)
  : Promise<OrderCheck> {
  if (pendingStates.includes(order.state) || order.state === 'expired') {
    const r = await settleOrder(deps, processor, order.orderNumber, { trigger: 'operator' })
    if (r.status === 'unknown') return { order, answer: null, reason: 'the order is gone' }
    const answer = 'answer' in r ? r.answer ?? null : null
    return { order: r.order, answer, ...('reason' in r ? { reason: r.reason } : {}) }
  }
  try {
    return { order, answer: await processor.queryStatus(processorOrder(order)) }
  } catch (err) {
    if (!isGatewayError(err, 'unavailable')) throw err
    return { order, answer: null, reason: err.message }
  }
}
