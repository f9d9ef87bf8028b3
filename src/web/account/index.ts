import Router from '@koa/router'
import type { WebAppContext, WebOverrides } from '../deps.ts'
import { failureLimiter, type LimitRule } from '../limits.ts'
import { webMiddleware } from '../middleware.ts'
import type { WebState } from '../state.ts'
import { accountRoutes } from './routes.ts'
import { transferRoutes } from './transfer.ts'

/** Wrong payment codes per cabinet and per address before redeeming pauses. */
export const redeemRules: Record<'account' | 'address', LimitRule> = {
  account: { points: 10, windowSec: 3600, blockSec: 3600 },
  address: { points: 30, windowSec: 3600, blockSec: 3600 },
}

/**
 * The *Hesab* part of the cabinet under /kabinet/hesab: balance, credits and
 * debits, redeeming a payment code, transfers and paying at a terminal.
 */
export function accountPagesRouter(app: WebAppContext, overrides: WebOverrides = {})
  : Router<WebState> {
  const router = new Router<WebState>()
  router.use(...webMiddleware(app, overrides))
  accountRoutes(router, failureLimiter(app.db, 'redeem', redeemRules))
  transferRoutes(router)
  return router
}
