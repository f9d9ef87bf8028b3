import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { AppContext } from '../context.ts'
import type { CardProcessor } from './processor.ts'
import { settleNotice, type CardsDeps } from './settle.ts'
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

const answers = {
  settled: [200, 'OK'],
  pending: [202, 'PENDING'],
  rejected: [422, 'REFUSED'],
  forged: [403, 'REFUSED'],
  unknown: [404, 'UNKNOWN ORDER'],
} as const

/**
 * Callback and return routes for some card processors. Both run the settle
 * routine; neither trusts what it was sent beyond asking the processor.
 * A non-2xx answer makes a retrying processor try again later.
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
      const result = await settleNotice(deps, processor, body, 'callback')
      const [status, text] = answers[result.status]
      c.status = status
      c.type = 'text/plain'
      c.body = text
    })
    router.post(returnPath(processor.id), parse, async (c) => {
      const body = (c.request.body ?? {}) as Record<string, unknown>
      const result = await settleNotice(deps, processor, body, 'return')
      if ('order' in result) {
        c.status = 303
        c.redirect(orderPagePath(result.order.publicId))
        return
      }
      c.status = 400
      c.type = 'text/html; charset=utf-8'
      c.set('Cache-Control', 'no-store')
      c.body = plainPage('Ödənişin nəticəsi', 'Ödənişin nəticəsini yoxlaya bilmədik. '
        + 'Ödəniş olunubsa, məbləğ bir neçə dəqiqə ərzində hesabınıza əlavə ediləcək.')
    })
  }
  return router
}
