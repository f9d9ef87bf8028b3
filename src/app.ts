import type Router from '@koa/router'
import Koa from 'koa'
import { adapterRouters } from '../adapters/index.ts'
import { apiRouter } from './api/index.ts'
import { cardsRouter } from './cards/pages.ts'
import type { AppContext } from './context.ts'
import { errorHandler } from './http/errors.ts'
import { healthRouter } from './http/health.ts'
import { requestLogger } from './http/logging.ts'
import { accountPagesRouter } from './web/account/index.ts'
import { webRouter } from './web/index.ts'

/** Builds the routers of one area of the product from the shared context. */
export type RouterFactory = (ctx: AppContext) => Router | Router[]

/**
 * Every area's routers. To mount yours, import its factory and add one line
 * here; it then gets request logging, metrics and error handling. A router
 * brings its own body parsing (form, JSON or raw for signed callbacks).
 */
export const routerFactories: RouterFactory[] = [
  adapterRouters, // terminal networks and card processors: adapters/index.ts
  webRouter, // the web cabinet: src/web/index.ts
  apiRouter, // the services' charge API: src/api/index.ts
  accountPagesRouter, // the cabinet's account pages: src/web/account/index.ts
  cardsRouter, // card payment pages: src/cards/pages.ts
]

/**
 * The gateway's Koa app. `routers` replaces the factories (tests mount only
 * what they exercise); health, readiness and metrics are always there.
 */
export function buildApp(ctx: AppContext, routers?: Router[]): Koa {
  const trust = ctx.config.trustProxy
  // Behind a proxy, the client is the last X-Forwarded-For hop it appended.
  const app = new Koa({ proxy: trust, maxIpsCount: trust ? 1 : 0 })
  app.use(requestLogger(ctx.log, ctx.metrics))
  app.use(errorHandler())
  const mounted = [healthRouter(ctx), ...(routers ?? routerFactories.flatMap((f) => f(ctx)))]
  for (const router of mounted) {
    app.use(router.routes())
    app.use(router.allowedMethods())
  }
  app.on('error', (err: unknown) => ctx.log.warn({ err }, 'http connection error'))
  return app
}
