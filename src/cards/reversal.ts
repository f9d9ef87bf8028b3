import { GatewayError, isGatewayError } from '../errors.ts'
import { accountId, cabinetAccount, cabinetBalance, post } from '../ledger/index.ts'
import { findOrder, processorOrder, type CardOrder } from './orders.ts'
import type { CardProcessor, ReversalOutcome } from './processor.ts'
import type { CardsDeps } from './settle.ts'

export interface ReversalReport {
  outcome: ReversalOutcome
  order: CardOrder
  detail: string
  /** Whether the cabinet was debited; false with `reversed` means a person must act. */
  debited: boolean
}

/**
 * The operator's full reversal of a paid order (TRTYPE 24 for Azericard).
 * The cabinet must still hold the amount, so the payer cannot keep both; the
 * processor is asked first, and only a confirmed reversal debits the cabinet
 * and marks the order and its payment reversed.
 */
export async function reverseOrder(
  deps: CardsDeps, processor: CardProcessor, orderNumber: string,
  who: { operator: string; reason: string },
): Promise<ReversalReport> {
  const log = deps.log.child({ component: 'cards', provider: processor.id, order: orderNumber,
    operator: who.operator })
  const order = await findOrder(deps.db, processor.id, orderNumber)
  if (!order) throw new GatewayError('not_found', `no order ${orderNumber} at ${processor.id}`)
  if (order.state !== 'paid' || order.paymentId === null) {
    throw new GatewayError('conflict', `order ${orderNumber} is ${order.state}, not paid`)
  }
  const payment = await deps.db('payments').where({ id: order.paymentId })
    .first('state', 'payment_code')
  if (payment?.state !== 'posted') {
    throw new GatewayError('conflict', 'the credit is not posted yet; try again in a minute')
  }
  const balance = await cabinetBalance(deps.db, order.cabinetId)
  if (balance < order.amount) {
    throw new GatewayError('insufficient_funds',
      'the cabinet no longer holds the amount; reversing would let the payer keep both')
  }

  const result = await processor.reverse(processorOrder(order))
  log.warn({ outcome: result.outcome, detail: result.detail, reason: who.reason },
    'card payment reversal requested by an operator')
  if (result.outcome !== 'reversed') {
    return { outcome: result.outcome, order, detail: result.detail, debited: false }
  }

  const reversal = async (debit: boolean) => deps.db.transaction(async (trx) => {
    const [row] = await trx('card_orders').where({ id: order.id, state: 'paid' })
      .update({ state: 'reversed', reversed_at: trx.fn.now(), updated_at: trx.fn.now(),
        detail: result.detail }).returning('id')
    if (!row || !debit) return
    await post(trx, {
      key: `card-reversal:${processor.id}:${order.orderNumber}`,
      kind: 'reversal',
      legs: [
        { account: await cabinetAccount(trx, order.cabinetId), amount: -order.amount },
        { account: await accountId(trx, { kind: 'clearing', provider: processor.id }),
          amount: order.amount },
      ],
      metadata: { paymentCode: payment.payment_code as string, orderNumber,
        provider: processor.id, operator: who.operator, reason: who.reason },
    })
    await trx('payments').where({ id: order.paymentId, state: 'posted' })
      .update({ state: 'reversed' })
  })
  try {
    await reversal(true)
    return { outcome: 'reversed', order: { ...order, state: 'reversed' }, detail: result.detail,
      debited: true }
  } catch (err) {
    if (!isGatewayError(err, 'insufficient_funds')) throw err
    // Spent between our check and the processor's answer: the money went back to the card.
    await reversal(false)
    log.error({ amount: order.amount.toString() },
      'card payment reversed but the cabinet could not be debited: adjust by hand')
    return { outcome: 'reversed', order: { ...order, state: 'reversed' }, detail: result.detail,
      debited: false }
  }
}
