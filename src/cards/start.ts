import type { Config } from '../config.ts'
import { createOrder, markRedirected, processorOrder, type CardOrder } from './orders.ts'
import { callbackPath, orderPagePath, returnPath } from './notify.ts'
import type { CardProcessor, HostedRedirect } from './processor.ts'
import type { CardsDeps } from './settle.ts'

export interface StartRequest {
  cabinetId: bigint
  amount: bigint
  channel: 'cabinet' | 'public'
}

/**
 * Creates an order and gets the form that takes the payer to the processor.
 * If the processor does not answer, the order stays `created`, the payer is
 * told to try again, and the sweeper expires it.
 */
export async function startPayment(
  deps: CardsDeps & { config: Pick<Config, 'publicUrl'> }, processor: CardProcessor,
  req: StartRequest,
): Promise<{ order: CardOrder; redirect: HostedRedirect }> {
  const order = await createOrder(deps.db, { processor: processor.id, ...req })
  const base = deps.config.publicUrl.replace(/\/+$/, '')
  const redirect = await processor.begin(processorOrder(order), {
    returnUrl: `${base}${returnPath(processor.id)}`,
    callbackUrl: `${base}${callbackPath(processor.id)}`,
    orderUrl: `${base}${orderPagePath(order.publicId)}?qayit=1`,
  })
  await markRedirected(deps.db, order.id, redirect.refs)
  deps.log.info({ component: 'cards', provider: processor.id, order: order.orderNumber,
    channel: req.channel, amount: req.amount.toString() }, 'card order created')
  return { order, redirect }
}
