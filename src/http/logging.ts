import type { Middleware } from 'koa'
import type { Logger } from '../log.ts'
import type { Metrics } from './metrics.ts'

/** Probes and scrapes: counted, but logged only at debug. */
const quietRoutes = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * One log line and one metric sample per exchange. Routes add what matters to
 * `ctx.state.outcome` (e.g. `osmp:0`) and `ctx.state.logFields` (never personal
 * data); the query string is not logged, because it carries payer references.
 */
export function requestLogger(log: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched'
      const status = ctx.status
      const outcome = typeof ctx.state.outcome === 'string' ? ctx.state.outcome
        : status < 400 ? 'ok' : 'error'
      metrics.httpRequests.inc({ route, method: ctx.method, status: String(status), outcome })
      metrics.httpDuration.observe({ route }, seconds)
      const line = {
        method: ctx.method, path: ctx.path, route, status, outcome, ip: ctx.ip,
        ms: Math.round(seconds * 10_000) / 10,
        ...(ctx.state.logFields as Record<string, unknown> | undefined),
        ...(ctx.state.error ? { err: ctx.state.error } : {}),
      }
      if (ctx.state.error) log.error(line, 'request failed')
      else if (quietRoutes.has(ctx.path)) log.debug(line, 'request')
      else log.info(line, 'request')
    }
  }
}
