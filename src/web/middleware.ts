import { timingSafeEqual } from 'node:crypto'
import { bodyParser } from '@koa/bodyparser'
import type { Middleware } from 'koa'
import helmet from 'koa-helmet'
import { isGatewayError } from '../errors.ts'
import { findCabinet } from '../payers/index.ts'
import { buildDeps, type WebAppContext, type WebOverrides } from './deps.ts'
import { messages } from './messages.ts'
import { renderError } from './render.ts'
import { loadSession } from './session.ts'
import {
  endSession, formFields, seeOther, sessionCookie, type WebState,
} from './state.ts'

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const csrfCheck: Middleware<WebState> = async (ctx, next) => {
  if (ctx.method === 'POST') {
    const session = ctx.state.session
    if (!session || !sameToken(formFields(ctx)._csrf, session.csrfSecret)) {
      ctx.state.web.log.warn({ path: ctx.path, session: Boolean(session) }, 'csrf check failed')
      renderError(ctx, 403, messages.csrf)
      return
    }
  }
  await next()
}

/**
 * The stack every cabinet page runs behind: security headers, no caching,
 * error pages, the session, form parsing, and the CSRF check on every POST.
 * Other page groups mount it with `router.use(...webMiddleware(app))`.
 */
export function webMiddleware(app: WebAppContext, overrides: WebOverrides = {})
  : Middleware<WebState>[] {
  const deps = buildDeps(app, overrides)
  const errorPages: Middleware<WebState> = async (ctx, next) => {
    try {
      await next()
    } catch (err) {
      if (isGatewayError(err, 'unavailable')) {
        deps.log.warn({ err, path: ctx.path }, 'a service the page needs is unavailable')
        renderError(ctx, 503, messages.unavailable)
        return
      }
      const status = (err as { status?: number }).status ?? 500
      const expose = status < 500 && (err as { expose?: boolean }).expose
      if (status >= 500) deps.log.error({ err, path: ctx.path }, 'cabinet page failed')
      else deps.log.warn({ status, path: ctx.path, reason: (err as Error).message },
        'request refused')
      renderError(ctx, status, expose ? messages.badRequest : messages.unexpected)
    }
  }
  const attach: Middleware<WebState> = async (ctx, next) => {
    ctx.state.web = deps
    const token = ctx.cookies.get(sessionCookie)
    ctx.state.session = token ? await loadSession(deps.db, token) : null
    await next()
  }
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"],
          formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      xFrameOptions: { action: 'deny' },
    }) as Middleware<WebState>,
    async (ctx, next) => {
      ctx.set('Cache-Control', 'no-store')
      await next()
    },
    errorPages,
    attach,
    bodyParser({ enableTypes: ['form'], formLimit: '32kb' }) as Middleware<WebState>,
    csrfCheck,
  ]
}

/** Only paths inside the cabinet are followed after login, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/kabinet(\/[\w\-/]*)?$/.test(next) ? next : '/kabinet'
}

/** Lets logged-in holders through and sends everyone else to the login page. */
export const requireLogin: Middleware<WebState> = async (ctx, next) => {
  const session = ctx.state.session
  const cabinet = session?.cabinetId
    ? await findCabinet(ctx.state.web.db, { id: session.cabinetId })
    : null
  if (!cabinet || cabinet.blocked) {
    if (session?.cabinetId) await endSession(ctx)
    const back = ctx.method === 'GET' ? `?next=${encodeURIComponent(ctx.path)}` : ''
    seeOther(ctx, `/giris${back}`)
    return
  }
  ctx.state.cabinet = cabinet
  await next()
}
