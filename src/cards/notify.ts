import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { AppContext } from '../context.ts'
import type { CardOrder } from './orders.ts'
import type { CallbackNotice, CardProcessor, ProcessorRefs } from './processor.ts'
import { settleNotice, type CardsDeps, type SettleResult } from './settle.ts'
import { plainPage } from './views.ts'

/** Where a processor's notifications and signed browser returns arrive. */
export function callbackPath(providerId: string): string {
  return `/cards/${providerId}/callback`
}

export function returnPath(providerId: string): string {
  return `/cards/${providerId}/return`
}

export function orderPagePath(publicId: string): string {
  return `/kartla-odenis/sifaris/${publicId}`
}

/**
 * Answers to a callback. An unknown order, a refused callback and one not
 * settled yet answer alike, so a valid signature with another ORDER tells
 * nobody which orders exist; a non-2xx answer makes a retrying processor try
 * again later (the sweeper asks in any case).
 */
const answers = {
  settled: [200, 'OK'],
  pending: [409, 'NOT SETTLED'],
  rejected: [409, 'NOT SETTLED'],
  unknown: [409, 'NOT SETTLED'],
} as const

/** Both carry the same reference (RRN, INT_REF, transaction), and none differs. */
function refsAgree(a: ProcessorRefs, b: ProcessorRefs | undefined): boolean {
  if (!b) return false
  const keys = (['rrn', 'intRef', 'transaction'] as const).filter((k) => a[k] && b[k])
  return keys.length > 0
    && keys.every((k) => a[k]?.toUpperCase() === b[k]?.toUpperCase())
}

/**
 * The browser return leads to the order page only when the signed references
 * are this order's: what the processor just answered for it, or what it was
 * paid with. A signed return re-posted with another ORDER sees the same
 * neutral page as an unknown order.
 */
function vouched(result: SettleResult, notice: CallbackNotice): CardOrder | null {
  if (result.status !== 'settled' && result.status !== 'pending') return null
  const own = result.order.state === 'paid' ? result.order.refs : undefined
  return refsAgree(notice.refs, result.answer?.refs) || refsAgree(notice.refs, own)
    ? result.order : null
}

const checkLater = plainPage('Ödənişin nəticəsi', 'Ödənişin nəticəsini yoxlaya bilmədik. '
  + 'Ödəniş olunubsa, məbləğ bir neçə dəqiqə ərzində hesabınıza əlavə ediləcək.')

/**
 * Callback and return routes for some card processors. Both run the settle
 * routine; neither trusts what it was sent beyond asking the processor.
 */
export function cardNotifyRouter(
  ctx: Pick<AppContext, 'db' | 'log' | 'queues' | 'metrics'>, processors: CardProcessor[],
): Router {
  const deps: CardsDeps = ctx
  const router = new Router()
  const parse = bodyParser({ enableTypes: ['form', 'json'], formLimit: '64kb',
    jsonLimit: '64kb' })
  for (const processor of processors) {
    router.post(callbackPath(processor.id), parse, async (c) => {
      const body = (c.request.body ?? {}) as Record<string, unknown>
      const settled = await settleNotice(deps, processor, body, 'callback')
      const [status, text] = 'result' in settled ? answers[settled.result.status]
        : [403, 'REFUSED']
      c.status = status
      c.type = 'text/plain'
      c.body = text
    })
    router.post(returnPath(processor.id), parse, async (c) => {
      const body = (c.request.body ?? {}) as Record<string, unknown>
      const settled = await settleNotice(deps, processor, body, 'return')
      const order = 'result' in settled ? vouched(settled.result, settled.notice) : null
      if (order) {
        c.status = 303
        c.redirect(orderPagePath(order.publicId))
        return
      }
      c.status = 'result' in settled ? 200 : 400
      c.type = 'text/html; charset=utf-8'
      c.set('Cache-Control', 'no-store')
      c.body = checkLater
    })
  }
  return router
}
