import type { Middleware } from 'koa'
import type { ErrorCode } from '../errors.ts'
import { clientHttpError, isGatewayError } from '../errors.ts'

/** HTTP status for each core error, for routes that answer with plain HTTP errors. */
export const httpStatusFor: Record<ErrorCode, number> = {
  bad_request: 400,
  amount_format: 400,
  amount_too_small: 400,
  amount_too_large: 400,
  currency: 400,
  account_format: 400,
  payer_not_found: 404,
  cabinet_blocked: 403,
  payment_mismatch: 409,
  idempotency_conflict: 409,
  insufficient_funds: 409,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  not_supported: 501,
  unavailable: 503,
  internal: 500,
}

/**
 * The last line of defence: protocol routes answer in their own format and
 * rarely get here. A GatewayError becomes its status with a JSON body; a Koa
 * HTTP error keeps its status; anything else is a 500 that reveals nothing.
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next()
    } catch (err) {
      if (isGatewayError(err)) {
        ctx.status = httpStatusFor[err.code]
        const shown = ctx.status < 500
        ctx.body = { error: err.code, message: shown ? err.message : 'internal error' }
        if (!shown) ctx.state.error = err
        return
      }
      const client = clientHttpError(err)
      if (client) {
        ctx.status = client.status
        ctx.body = { error: 'bad_request', message: client.message }
        return
      }
      const status = (err as { status?: unknown }).status
      ctx.status = typeof status === 'number' && status >= 500 && status < 600 ? status : 500
      ctx.body = { error: 'internal', message: 'internal error' }
      ctx.state.error = err
    }
  }
}
